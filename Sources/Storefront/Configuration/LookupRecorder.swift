import Configuration
import Primitives

/// Records which provider answered each lookup, so that a bad value can be traced to its
/// source (flag, environment variable or file).
///
/// ``ConfigReader`` asks its providers in order and stops at the first that has a value or
/// throws; the number of provider results in an access event is therefore one more than the
/// index of the provider that answered.
final class LookupRecorder: AccessReporter {
  private let answering = Locked<[String: Int]>([:])

  func report(_ event: AccessEvent) {
    let key = event.metadata.key.components.joined(separator: ".")
    let last = event.providerResults.count - 1
    let answered: Bool
    switch event.providerResults.last?.result {
    case .success(let lookup): answered = lookup.value != nil
    case .failure: answered = true
    case nil: answered = false
    }
    answering.withLock { $0[key] = answered ? last : nil }
  }

  /// The index of the provider that supplied (or failed to supply) the value of `key`, if any.
  func providerIndex(forKey key: String) -> Int? {
    answering.withLock { $0[key] }
  }
}
