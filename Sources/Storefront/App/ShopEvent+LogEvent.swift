import EventLog
import StorefrontCore

/// Shop events are what the event log stores: `type` + `encodeData()` + `init(type:data:)`.
/// (The conformance lives here, where the app wires the domain to the log, so that
/// StorefrontCore builds without EventLog.)
extension ShopEvent: LogEvent {}
