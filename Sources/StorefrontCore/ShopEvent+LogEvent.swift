import EventLog

/// Shop events are what the event log stores: `type` + `encodeData()` + `init(type:data:)`.
extension ShopEvent: LogEvent {}
