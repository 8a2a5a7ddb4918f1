/// A one-line progress display for long loops: batch i/n, caller-named metrics (running loss,
/// accuracy, …), examples per second and the estimated time left.
///
/// On a terminal the line is redrawn in place (`\r`, then ESC[K to clear the rest of the line),
/// at most every `redrawInterval` seconds. When the output is not a terminal (CI logs, files)
/// it prints a plain line each time another quarter of the work is done, or when
/// `plainInterval` seconds have passed since the last line, so logs stay short and readable.
/// `finish()` always leaves one clean final line ending in a newline.
///
///     let bar = ProgressBar(total: numBatches, title: "epoch \(epoch + 1)/\(numEpochs)")
///     for (i, (X, y)) in trainIter.enumerated() {
///         ... train step, metric.add(...) ...
///         bar.update(batch: i + 1, examples: Int(metric[2]),
///                    metrics: ["loss": metric[0] / metric[2], "acc": metric[1] / metric[2]])
///     }
///     bar.finish()
public final class ProgressBar {
    public let total: Int
    public let title: String
    public let output: TextOutput
    /// Minimum seconds between two in-place redraws on a terminal.
    public var redrawInterval: Double = 0.1
    /// Maximum seconds between two plain lines when not on a terminal.
    public var plainInterval: Double = 30
    /// Width of the `[====>   ]` bar in characters (terminal mode only).
    public var barWidth: Int = 20

    private let clock: () -> Double
    private let startTime: Double
    private var batch = 0
    private var examples = 0
    private var metrics: [(String, Double)] = []
    private var lastDraw: Double
    private var lastQuarter = 0
    private var finished = false

    /// - Parameters:
    ///   - total: number of steps (batches) of the loop, > 0.
    ///   - title: prefix such as "epoch 3/10".
    ///   - output: destination; defaults to standard error.
    ///   - clock: monotonic seconds, injectable for tests.
    public init(total: Int, title: String = "", output: TextOutput = .standardError,
                clock: @escaping () -> Double = Timer.now) {
        if total <= 0 { fatalError("ProgressBar(total: \(total)): total must be positive") }
        self.total = total
        self.title = title
        self.output = output
        self.clock = clock
        self.startTime = clock()
        self.lastDraw = -Double.infinity
        if !output.isTerminal { lastDraw = startTime }   // plain lines: first one after a quarter or an interval
    }

    /// Reports that `batch` steps (1-based count of completed steps) and `examples` examples
    /// (cumulative) are done, with the current running metrics, in display order.
    public func update(batch: Int, examples: Int = 0, metrics: KeyValuePairs<String, Double> = [:]) {
        self.batch = min(max(batch, 0), total)
        self.examples = examples
        self.metrics = metrics.map { ($0.key, $0.value) }
        let now = clock()
        if output.isTerminal {
            if now - lastDraw >= redrawInterval || self.batch == total {
                output.write("\r" + line(now: now, withBar: true) + "\u{1B}[K")
                lastDraw = now
            }
        } else if self.batch < total {
            // The final line is left to finish(), so it is never printed twice.
            let quarter = self.batch * 4 / total
            if quarter > lastQuarter || now - lastDraw >= plainInterval {
                output.write(line(now: now, withBar: false) + "\n")
                lastQuarter = quarter
                lastDraw = now
            }
        }
    }

    /// Writes the final line (with `metrics` if given, else the last ones) and a newline.
    /// Returns the text of that line. Calling it twice does nothing the second time.
    @discardableResult
    public func finish(metrics: KeyValuePairs<String, Double>? = nil) -> String {
        if let metrics { self.metrics = metrics.map { ($0.key, $0.value) } }
        let text = line(now: clock(), withBar: output.isTerminal)
        if finished { return text }
        finished = true
        output.write(output.isTerminal ? "\r" + text + "\u{1B}[K\n" : text + "\n")
        return text
    }

    /// The text of the progress line at time `now`.
    func line(now: Double, withBar: Bool) -> String {
        var parts: [String] = []
        if !title.isEmpty { parts.append(title) }
        let width = String(total).count
        let counter = "batch " + String(repeating: " ", count: width - String(batch).count) + "\(batch)/\(total)"
        if withBar {
            let filled = batch * barWidth / total
            let head = filled < barWidth && batch > 0 ? ">" : ""
            let rest = barWidth - filled - head.count
            parts.append(counter + " [" + String(repeating: "=", count: filled) + head
                         + String(repeating: " ", count: rest) + "]")
        } else {
            parts.append(counter + " (\(batch * 100 / total)%)")
        }
        for (name, value) in metrics { parts.append("\(name) \(formatMetric(value))") }
        let elapsed = max(now - startTime, 0)
        if examples > 0 && elapsed > 0 {
            parts.append("\(formatFixed(Double(examples) / elapsed, decimals: 1)) examples/sec")
        }
        if batch >= total {
            parts.append("took \(formatDuration(elapsed))")
        } else if batch > 0 {
            parts.append("ETA \(formatDuration(elapsed / Double(batch) * Double(total - batch)))")
        }
        return parts.joined(separator: "  ")
    }
}
