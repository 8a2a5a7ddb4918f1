import Foundation
import NN
import Tensor
import TestSupport
import XCTest

final class SafetensorsTests: XCTestCase {
    private func tempURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nn-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    }

    /// Written once by Python's struct + json exactly per the format (metadata first, compact
    /// JSON, space padding; tensor data deliberately not in name order): 0.weight (2, 3) =
    /// [0.5, −1.25, 2, 3.5, −0.125, 0.001], 0.bias (2) = [7, −8.5], scalar () = 3.25.
    private let pythonFile = """
        2AAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJwdCJ9LCIwLndlaWdodCI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMiwzXSwiZGF0YV9vZmZzZXRzIjpbMCwyNF19LCIwLmJpYXMiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzJdLCJkYXRhX29mZnNldHMiOlsyNCwzMl19LCJzY2FsYXIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6W10sImRhdGFfb2Zmc2V0cyI6WzMyLDM2XX19ICAAAAA/AACgvwAAAEAAAGBAAAAAvm8SgzoAAOBAAAAIwQAAUEA=
        """

    func testLoadsFileWrittenByPython() throws {
        let t = try loadSafetensors(data: Data(base64Encoded: pythonFile)!)
        XCTAssertEqual(Set(t.keys), ["0.weight", "0.bias", "scalar"])
        XCTAssertEqual(t["0.weight"]!.shape, [2, 3])
        XCTAssertEqual(t["0.weight"]!.scalars, [0.5, -1.25, 2, 3.5, -0.125, 0.001])
        XCTAssertEqual(t["0.bias"]!.scalars, [7, -8.5])
        XCTAssertEqual(t["scalar"]!.shape, [])
        XCTAssertEqual(t["scalar"]!.item(), 3.25)
    }

    func testRoundTripAndLayout() throws {
        Tensor.manualSeed(9)
        let tensors = ["b": Tensor.randn([3]), "a.weight": Tensor.randn([2, 5]), "empty": Tensor.zeros([0, 4])]
        let url = tempURL("roundtrip.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveSafetensors(tensors, to: url, metadata: ["format": "pt"])
        let back = try loadSafetensors(from: url)
        XCTAssertEqual(Set(back.keys), Set(tensors.keys))
        for (k, v) in tensors {
            XCTAssertEqual(back[k]!.shape, v.shape)
            XCTAssertEqual(back[k]!.scalars, v.scalars)
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(n % 8, 0, "header padded to 8 bytes")
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        XCTAssert(header.hasPrefix(#"{"__metadata__":{"format":"pt"},"a.weight":{"dtype":"F32","shape":[2,5],"data_offsets":[0,40]}"#),
                  header)
        XCTAssertEqual(bytes.count, 8 + n + 4 * (3 + 10))
    }

    /// Another reader: Python's json + struct parse our file the way a safetensors reader does.
    func testPythonReadsOurFile() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw XCTSkip("python3 not available") }
        let url = tempURL("for-python.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveSafetensors(["w": Tensor([[1, 2], [3, 4.5]]), "b": Tensor([-1])], to: url)
        let script = """
            import json, struct, sys
            d = open(sys.argv[1], 'rb').read()
            n, = struct.unpack('<Q', d[:8]); h = json.loads(d[8:8 + n]); body = d[8 + n:]
            assert n % 8 == 0
            out = []
            for k in sorted(k for k in h if k != '__metadata__'):
                b, e = h[k]['data_offsets']
                out.append('%s %s %s %s' % (k, h[k]['dtype'], h[k]['shape'], list(struct.unpack('<%df' % ((e - b) // 4), body[b:e]))))
            print('; '.join(out))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", script, url.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(out.trimmingCharacters(in: .whitespacesAndNewlines),
                       "b F32 [1] [-1.0]; w F32 [2, 2] [1.0, 2.0, 3.0, 4.5]")
    }

    func testCorruptFilesThrow() {
        let good = [UInt8](Data(base64Encoded: pythonFile)!)
        func expectError(_ bytes: [UInt8], _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try loadSafetensors(data: Data(bytes)), line: line) { e in
                XCTAssert("\(e)".contains(fragment), "\(e)", line: line)
            }
        }
        expectError([1, 2, 3], "shorter than")
        expectError(Array(good.prefix(40)), "header length")
        expectError(Array(good.dropLast(4)), "data_offsets")          // data truncated
        var huge = good; huge[7] = 0x7f                               // absurd header length
        expectError(huge, "header length")
        var badJSON = good; badJSON[8] = UInt8(ascii: "[")
        expectError(badJSON, "header")
        var dtype = good
        if let r = findBytes(dtype, Array(#""F32","shape":[2,3]"#.utf8)) {
            dtype.replaceSubrange(r.lowerBound + 1..<r.lowerBound + 4, with: Array("F64".utf8))
        }
        expectError(dtype, "only F32")
        var shape = good
        if let r = findBytes(shape, Array("[2,3]".utf8)) { shape.replaceSubrange(r, with: Array("[2,4]".utf8)) }
        expectError(shape, "data_offsets")
    }

    func testModuleSaveLoadAndMismatchErrors() throws {
        Tensor.manualSeed(1)
        let net = Sequential(Linear(inputSize: 4, outputSize: 3), ReLU(), Linear(inputSize: 3, outputSize: 2))
        let url = tempURL("mlp.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.saveParameters(to: url)
        let clone = Sequential(Linear(inputSize: 4, outputSize: 3), ReLU(), Linear(inputSize: 3, outputSize: 2))
        XCTAssertNotEqual(clone.parameters()[0].value.scalars, net.parameters()[0].value.scalars)
        try clone.loadParameters(from: url)
        let x = Tensor.randn([5, 4])
        XCTAssertEqual(clone(x).scalars, net(x).scalars)
        XCTAssert(clone.parameters().allSatisfy { $0.value.requiresGrad && $0.value.isLeaf })

        let other = Sequential(Linear(inputSize: 4, outputSize: 5), ReLU(), Linear(inputSize: 5, outputSize: 2, bias: false))
        XCTAssertThrowsError(try other.loadParameters(from: url)) { e in
            let s = "\(e)"
            XCTAssert(s.contains("unexpected keys [\"2.bias\"]"), s)
            XCTAssert(s.contains("'0.weight' has shape (3, 4) in the file but (5, 4) in the model"), s)
        }
        let bigger = Sequential(Linear(inputSize: 4, outputSize: 3), ReLU(), Linear(inputSize: 3, outputSize: 2),
                                Linear(inputSize: 2, outputSize: 2))
        XCTAssertThrowsError(try bigger.loadParameters(from: url)) { e in
            XCTAssert("\(e)".contains("missing keys [\"3.weight\", \"3.bias\"]"), "\(e)")
        }
    }

    private func findBytes(_ hay: [UInt8], _ needle: [UInt8]) -> Range<Int>? {
        guard needle.count <= hay.count else { return nil }
        for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle {
            return i..<(i + needle.count)
        }
        return nil
    }
}
