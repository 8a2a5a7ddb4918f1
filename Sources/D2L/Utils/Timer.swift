import Dispatch

/// A stopwatch that records several running times (book §3.1, `d2l.Timer`).
///
/// Uses the monotonic clock (`DispatchTime`, CLOCK_MONOTONIC on Linux), so wall-clock
/// adjustments never produce negative or jumping intervals.
///
///     var timer = Timer()            // already started, like the book's
///     ... work ...
///     timer.stop()                   // appends and returns the elapsed seconds
///     print("\(timer.avg()) sec/epoch, total \(timer.sum())")
///
/// Foundation also has a `Timer` class; a file that imports both Foundation and D2L
/// can write `D2L.Timer` (or `Stopwatch`, the same type) to disambiguate.
public struct Timer {
    /// All recorded intervals, in seconds.
    public private(set) var times: [Double] = []
    private var startTime: UInt64

    /// Creates the timer and starts it (the book's `__init__` calls `start()`).
    public init() { startTime = Timer.nowNanoseconds() }

    /// Restarts the current interval.
    public mutating func start() { startTime = Timer.nowNanoseconds() }

    /// Ends the current interval, records it and returns it in seconds.
    @discardableResult
    public mutating func stop() -> Double {
        let elapsed = Double(Timer.nowNanoseconds() &- startTime) / 1e9
        times.append(elapsed)
        return elapsed
    }

    /// Mean of the recorded intervals (0 when none were recorded).
    public func avg() -> Double { times.isEmpty ? 0 : sum() / Double(times.count) }

    /// Sum of the recorded intervals.
    public func sum() -> Double { times.reduce(0, +) }

    /// Running totals: `cumsum()[i] = times[0] + … + times[i]`.
    public func cumsum() -> [Double] {
        var total = 0.0
        return times.map { total += $0; return total }
    }

    /// Monotonic time in seconds since an arbitrary origin (for rates and ETAs).
    public static func now() -> Double { Double(nowNanoseconds()) / 1e9 }

    static func nowNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}

/// Another name for `Timer`, for files that also import Foundation (whose `Timer` would clash).
public typealias Stopwatch = Timer
