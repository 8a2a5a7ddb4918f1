import Foundation
import Tensor
import XCTest
@testable import D2L

/// Runs a system tool with `input` on stdin and returns its stdout.
func runTool(_ path: String, _ args: [String], input: [UInt8]) throws -> [UInt8] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-tool-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let inURL = dir.appendingPathComponent("in"), outURL = dir.appendingPathComponent("out")
    try Data(input).write(to: inURL)
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    p.standardInput = try FileHandle(forReadingFrom: inURL)
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    try p.run(); p.waitUntilExit()
    return [UInt8](try Data(contentsOf: outURL))
}

func gzipTool(_ data: [UInt8], _ flags: [String]) throws -> [UInt8] {
    try runTool("/usr/bin/gzip", flags + ["-c", "-n"], input: data)
}

/// Deterministic test inputs: random bytes (incompressible → stored blocks), text-like
/// repetitive data (dynamic blocks), short strings (fixed blocks), long runs (distance 1).
func sampleInputs() -> [(String, [UInt8])] {
    var g = SeededGenerator(seed: 7)
    func random(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) } }
    let words = ["time", "traveller", "the", "machine", "of", "a", "psychologist", "\n", ", ", ". "]
    var text: [UInt8] = []
    while text.count < 300_000 { text += Array(words[Int(g.next() % 10)].utf8); text.append(32) }
    var mixed: [UInt8] = []
    for k in 0..<40 { mixed += k % 2 == 0 ? random(3000) : Array(text[(k * 1000)..<(k * 1000 + 5000)]) }
    var smallAlphabet: [UInt8] = (0..<100_000).map { _ in UInt8(g.next() % 4) &+ 65 }
    smallAlphabet += [UInt8](repeating: 0, count: 70_000)
    return [
        ("empty", []),
        ("one byte", [42]),
        ("short text", Array("hello hello hello world".utf8)),
        ("random 1k", random(1000)),
        ("random 200k", random(200_000)),
        ("text 300k", text),
        ("mixed", mixed),
        ("runs", smallAlphabet),
        ("all 256 bytes", (0..<256).map { UInt8($0) }),
    ]
}

final class InflateTests: XCTestCase {
    func testCRC32KnownValuesAndSlicingMatchesBytewise() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([]), 0)
        var g = SeededGenerator(seed: 1)
        for n in [1, 7, 8, 9, 17, 33, 100, 257, 4099] {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            var a = CRC32(), b = CRC32()
            bytes.withUnsafeBytes { a.update($0); b.updateBytewise($0) }
            XCTAssertEqual(a.value, b.value, "n=\(n)")
        }
    }

    func testRoundTripsThroughSystemGzip() throws {
        for (name, data) in sampleInputs() {
            for level in ["-1", "-9"] {
                let gz = try gzipTool(data, [level])
                let back = try Gzip.decompress(gz)
                XCTAssertEqual(back.count, data.count, "\(name) \(level)")
                XCTAssert(back == data, "\(name) \(level): content differs")
            }
        }
    }

    func testBlockTypesAreAllExercised() throws {
        // Inspect the first block header of gzip's output (10-byte header, no FNAME with -n).
        func firstBlockType(_ data: [UInt8]) throws -> Int {
            let gz = try gzipTool(data, ["-9"])
            return Int(gz[10] >> 1) & 3
        }
        let inputs = sampleInputs()
        XCTAssertEqual(try firstBlockType(inputs[2].1), 1, "short text → fixed Huffman block")
        XCTAssertEqual(try firstBlockType(inputs[5].1), 2, "text → dynamic Huffman block")
        XCTAssertEqual(try firstBlockType(inputs[4].1), 0, "random → stored block")
    }

    func testHandMadeStreams() throws {
        // Stored block, final: "abc".
        XCTAssertEqual(try Inflate.decompress([0x01, 0x03, 0x00, 0xFC, 0xFF, 0x61, 0x62, 0x63]), Array("abc".utf8))
        // Fixed block with a match: literal 'a', then length 3 distance 1 → "aaaa".
        // Bits (LSB first): BFINAL=1, BTYPE=01, 'a'=0x61 → code 0x30+0x61=0x91 (8 bits),
        // length 3 → symbol 257 (7-bit code 0000001), distance 1 → code 00000, EOB 0000000.
        var w = BitWriter()
        w.write(1, 1); w.write(1, 2)
        w.writeCode(0x30 + 0x61, 8); w.writeCode(1, 7); w.writeCode(0, 5); w.writeCode(0, 7)
        XCTAssertEqual(try Inflate.decompress(w.bytes), Array("aaaa".utf8))
    }

    func testErrorsHaveClearMessages() throws {
        XCTAssertThrowsError(try Inflate.decompress([0x07])) { e in
            XCTAssertEqual((e as? DataError)?.description, "bad block type 3 in DEFLATE stream")
        }
        XCTAssertThrowsError(try Inflate.decompress([0x01, 0x03, 0x00])) { e in
            XCTAssert("\(e)".hasPrefix("truncated"), "\(e)")
        }
        XCTAssertThrowsError(try Inflate.decompress([0x01, 0x03, 0x00, 0x00, 0x00, 0x61, 0x62, 0x63])) { e in
            XCTAssert("\(e)".contains("complement"), "\(e)")
        }
        var gz = try gzipTool(Array("hello world, hello world".utf8), ["-9"])
        gz[gz.count - 8] ^= 0xFF  // stored CRC
        XCTAssertThrowsError(try Gzip.decompress(gz)) { e in
            XCTAssert("\(e)".hasPrefix("CRC mismatch in gzip data: expected 0x"), "\(e)")
            XCTAssert("\(e)".contains(" found 0x"), "\(e)")
        }
        gz[gz.count - 8] ^= 0xFF
        gz[gz.count - 4] ^= 0x01  // ISIZE
        XCTAssertThrowsError(try Gzip.decompress(gz)) { e in XCTAssert("\(e)".hasPrefix("length mismatch"), "\(e)") }
        XCTAssertThrowsError(try Gzip.decompress(Array("plain text".utf8))) { e in XCTAssert("\(e)".contains("not gzip"), "\(e)") }
        // Output limit.
        let zeros = try gzipTool([UInt8](repeating: 0, count: 100_000), ["-9"])
        XCTAssertThrowsError(try Gzip.decompress(zeros, maxOutput: 50_000)) { e in
            XCTAssertEqual(e as? DataError, .outputTooLarge(limit: 50_000))
        }
    }

    func testGzipHeaderFieldsAndMultipleMembers() throws {
        let a = Array("first member ".utf8), b = Array("second member".utf8)
        let gzA = try gzipTool(a, ["-9"]), gzB = try gzipTool(b, ["-1"])
        XCTAssertEqual(try Gzip.decompress(gzA + gzB), a + b)
        XCTAssertEqual(try Gzip.decompress(gzA + [0, 0, 0]), a, "zero padding is ignored")
        XCTAssertThrowsError(try Gzip.decompress(gzA + [1, 2, 3]))
        // Rebuild gzA's header with FEXTRA, FNAME, FCOMMENT and FHCRC.
        var header: [UInt8] = [0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3]
        header += [3, 0, 9, 8, 7]                       // FEXTRA: 3 bytes
        header += Array("name.txt".utf8) + [0]          // FNAME
        header += Array("a comment".utf8) + [0]         // FCOMMENT
        let hcrc = CRC32.checksum(header) & 0xFFFF
        header += [UInt8(hcrc & 0xFF), UInt8(hcrc >> 8)]
        let full = header + gzA[10...]
        XCTAssertEqual(try Gzip.decompress(Array(full)), a)
        var badHCRC = Array(full)
        badHCRC[header.count - 2] ^= 1
        XCTAssertThrowsError(try Gzip.decompress(badHCRC)) { e in XCTAssert("\(e)".contains("header"), "\(e)") }
    }

    func testTruncatedAndCorruptInputsThrowAndNeverCrash() throws {
        for (name, data) in sampleInputs() where data.count > 0 && data.count < 250_000 {
            let gz = try gzipTool(data, ["-6"])
            // Truncation at many points: always an error (the trailer is missing at least).
            let cuts = Set(stride(from: 0, to: gz.count, by: max(1, gz.count / 97)) + [gz.count - 1, gz.count - 8, 11, 12])
            for cut in cuts where cut < gz.count {
                XCTAssertThrowsError(try Gzip.decompress(Array(gz[..<cut])), "\(name) cut at \(cut)")
            }
            // Flipped bytes: an error, or (rarely, e.g. in mtime) the right answer.
            var g = SeededGenerator(seed: 99)
            for _ in 0..<60 {
                var bad = gz
                let i = Int(g.next() % UInt64(gz.count))
                bad[i] ^= UInt8(truncatingIfNeeded: g.next() | 1)
                if let out = try? Gzip.decompress(bad) { XCTAssert(out == data, "\(name): byte \(i) flipped gave wrong data without error") }
            }
        }
    }

    func testFuzzDecoderForBoundedTime() throws {
        let seeds = try sampleInputs().filter { $0.1.count < 50_000 }.map { try gzipTool($0.1, ["-9"]) }
        var g = SeededGenerator(seed: 2024)
        let deadline = Date().addingTimeInterval(1.0)
        var runs = 0
        while Date() < deadline {
            var input: [UInt8]
            switch g.next() % 3 {
            case 0: input = (0..<Int(g.next() % 300)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            default:
                input = seeds[Int(g.next() % UInt64(seeds.count))]
                for _ in 0..<(1 + g.next() % 4) where !input.isEmpty {
                    input[Int(g.next() % UInt64(input.count))] = UInt8(truncatingIfNeeded: g.next())
                }
                if g.next() % 2 == 0 { input = Array(input.prefix(Int(g.next() % UInt64(input.count + 1)))) }
            }
            _ = try? Gzip.decompress(input, maxOutput: 1 << 22)
            // Raw DEFLATE too (skip the 10-byte header).
            if input.count > 10 { _ = try? Inflate.decompress(Array(input[10...]), maxOutput: 1 << 22) }
            runs += 1
        }
        XCTAssertGreaterThan(runs, 100)
        print("inflate fuzz: \(runs) inputs in 1 s, no crash")
    }
}

/// Writes DEFLATE bit streams by hand (LSB-first; Huffman codes MSB-first).
struct BitWriter {
    var bytes: [UInt8] = []
    var bitPos = 0
    mutating func write(_ value: Int, _ n: Int) {
        for b in 0..<n {
            if bitPos % 8 == 0 { bytes.append(0) }
            if value >> b & 1 != 0 { bytes[bytes.count - 1] |= UInt8(1 << (bitPos % 8)) }
            bitPos += 1
        }
    }
    mutating func writeCode(_ code: Int, _ n: Int) {
        for b in stride(from: n - 1, through: 0, by: -1) { write(code >> b & 1, 1) }
    }
}
