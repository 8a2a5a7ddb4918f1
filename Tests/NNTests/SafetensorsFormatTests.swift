import Foundation
import NN
import Tensor
import Testing

/// A safetensors file from a hand-written header and `dataBytes` zero bytes of data.
private func file(_ header: String, dataBytes: Int) -> Data {
    var h = Array(header.utf8)
    while h.count % 8 != 0 { h.append(0x20) }
    var d = Data()
    withUnsafeBytes(of: UInt64(h.count).littleEndian) { d.append(contentsOf: $0) }
    d.append(contentsOf: h)
    d.append(Data(count: dataBytes))
    return d
}

private func loadError(_ header: String, dataBytes: Int) -> String {
    do {
        _ = try loadStateTensors(data: file(header, dataBytes: dataBytes))
        return "no error"
    } catch let e as SafetensorsError {
        return "\(e)"
    } catch {
        return "not a SafetensorsError: \(error)"
    }
}

private func scratchDirectory(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("nn-safetensors-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    try? FileManager.default.removeItem(at: url)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// What the format forbids is rejected with a `SafetensorsError` naming the tensor (issue 9 item 11).
@Suite struct SafetensorsFormatTests {
    @Test func acceptsATiledFileAndZeroSizedTensors() throws {
        let t = try loadStateTensors(data: file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""e":{"dtype":"F32","shape":[0,3],"data_offsets":[8,8]},"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}"#,
            dataBytes: 12))
        #expect(Set(t.keys) == ["a", "b", "e"])
        #expect(t["e"]!.shape == [0, 3])
    }

    @Test func overlappingOffsets() {
        let e = loadError(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                          dataBytes: 12)
        #expect(e.contains("'b' (bytes 4..<12) overlaps 'a'"), "\(e)")
    }

    @Test func gapBetweenTensors() {
        let e = loadError(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                          dataBytes: 12)
        #expect(e.contains("4 unused bytes before 'b'"), "\(e)")
    }

    @Test func unusedBytesAtTheEnd() {
        let e = loadError(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, dataBytes: 8)
        #expect(e.contains("4 unused bytes after the last tensor 'a'"), "\(e)")
    }

    @Test func booleanInsideShape() {
        let e = loadError(#"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, dataBytes: 4)
        #expect(e.contains("shape of 'a' holds true, not a non-negative integer"), "\(e)")
    }

    @Test func fractionInsideOffsets() {
        let e = loadError(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}}"#, dataBytes: 4)
        #expect(e.contains("data_offsets of 'a' holds 4.0, not a non-negative integer"), "\(e)")
    }

    @Test func duplicateKeys() {
        let e = loadError(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                          dataBytes: 4)
        #expect(e.contains("duplicate key 'a'"), "\(e)")
        let inner = loadError(#"{"a":{"dtype":"F32","shape":[1],"shape":[1],"data_offsets":[0,4]}}"#, dataBytes: 4)
        #expect(inner.contains("duplicate key 'shape'"), "\(inner)")
    }

    @Test func metadataMustBeAnObjectOfStrings() {
        let e = loadError(#"{"__metadata__":[1,2],"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, dataBytes: 4)
        #expect(e.contains("__metadata__ is an array, not an object of strings"), "\(e)")
        let v = loadError(#"{"__metadata__":{"epochs":10},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, dataBytes: 4)
        #expect(v.contains("__metadata__ entry 'epochs' is 10, not a string"), "\(v)")
    }

    @Test func malformedJSON() {
        #expect(loadError(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x"#, dataBytes: 4).contains("unexpected text"))
        #expect(loadError(#"{"a":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}"#, dataBytes: 4).contains("leading zero"))
        #expect(loadError(String(repeating: "[", count: 100), dataBytes: 0).contains("nested deeper"))
        #expect(loadError(#"{"a\u00e9\n":1}"#, dataBytes: 0).contains("entry 'aé\n' is 1, not an object"))
    }

    // MARK: I/O failures carry the path

    @Test func saveIntoMissingDirectory() throws {
        let dir = scratchDirectory("missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("no/such/dir/w.safetensors")
        do {
            try saveSafetensors(["w": Tensor.ones([2])], to: url)
            Issue.record("saving into a missing directory succeeded")
        } catch let e as SafetensorsError {
            #expect("\(e)".contains(url.path), "\(e)")
            #expect("\(e)".contains("No such file or directory"), "\(e)")
        }
    }

    @Test func saveOverADirectoryKeepsItAndLeavesNoTemporaryFile() throws {
        let dir = scratchDirectory("dir-in-place")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("w.safetensors")
        try FileManager.default.createDirectory(at: target.appendingPathComponent("inner"), withIntermediateDirectories: true)
        do {
            try saveSafetensors(["w": Tensor.ones([2])], to: target)
            Issue.record("saving over a directory succeeded")
        } catch let e as SafetensorsError {
            #expect("\(e)".contains(target.path), "\(e)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["w.safetensors"])
    }

    @Test func loadMissingFileAndDirectory() {
        let dir = scratchDirectory("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (url, problem) in [(dir.appendingPathComponent("absent.safetensors"), "no such file"), (dir, "is a directory")] {
            do {
                _ = try loadSafetensors(from: url)
                Issue.record("loading \(url.path) succeeded")
            } catch let e as SafetensorsError {
                #expect("\(e)" == "safetensors: \(url.path): \(problem)")
            } catch {
                Issue.record("not a SafetensorsError: \(error)")
            }
        }
    }

    /// Issue 9 item 10: a save that fails part-way (here: the file-size limit, as on a full
    /// disk) leaves the previous file whole and loadable, and no temporary file behind.
    /// Runs in a child process because it lowers that process's file-size limit.
    @Test func failedSaveKeepsThePreviousFile() async {
        await #expect(processExitsWith: .success) {
            let dir = scratchDirectory("atomic")
            let url = dir.appendingPathComponent("w.safetensors")
            try! saveSafetensors(["w": Tensor.full([16], 2.5)], to: url)
            signal(SIGXFSZ, SIG_IGN)
            var limit = rlimit()
            guard getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0 else { fatalError("getrlimit") }
            limit.rlim_cur = 4096
            guard setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0 else { fatalError("setrlimit") }
            do {
                try saveSafetensors(["w": Tensor.ones([100_000])], to: url)
                fatalError("a 400 kB save under a 4 kB file-size limit succeeded")
            } catch let e as SafetensorsError {
                guard "\(e)".contains(url.path) else { fatalError("error without the path: \(e)") }
            } catch {
                fatalError("not a SafetensorsError: \(error)")
            }
            let back = try! loadSafetensors(from: url)
            guard back["w"]?.scalars == [Float](repeating: 2.5, count: 16) else { fatalError("old file damaged: \(back)") }
            let left = try! FileManager.default.contentsOfDirectory(atPath: dir.path)
            guard left == ["w.safetensors"] else { fatalError("left behind: \(left)") }
            try? FileManager.default.removeItem(at: dir)
        }
    }
}
