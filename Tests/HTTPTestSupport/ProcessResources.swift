import CMallocStats
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Resource helpers for tests that open many sockets or watch memory.
public enum ProcessResources {
  /// Raises the soft open-file limit to at least `minimum` (up to the hard limit).
  public static func raiseFileLimit(to minimum: UInt) {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    if limit.rlim_cur < minimum {
      limit.rlim_cur = min(max(minimum, limit.rlim_cur), limit.rlim_max)
      setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
  }

  /// Bytes allocated with malloc and not yet freed in this process (all arenas): unlike RSS,
  /// not inflated by the allocator keeping freed memory.
  public static func heapInUseBytes() -> Int { Int(storefront_heap_in_use()) }

  /// The resident set size of process `pid` (default: this one) in KiB, from /proc.
  public static func residentKiB(pid: Int32? = nil) -> Int {
    let path = "/proc/\(pid.map(String.init) ?? "self")/status"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
      return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
  }
}
