/// The `Datasets` tool (`swift run Datasets fetch`): fetch and verify the data sets the
/// chapters read. Lives in the library so tests run it with an injected hub (no network).
///
///     Datasets fetch [name…]   find each data set, downloading what is missing into Datasets/
///                              (or $D2L_DATA_DIR without a checkout), then verify it (default)
///     Datasets verify [name…]  the same without downloading
///     Datasets list            the data sets, their files and where they are looked for
///
/// Returns the exit status: 0 when every requested data set verified, 1 otherwise, 2 for a
/// usage error.
public func runDatasetsCommand(_ arguments: [String], hub: DataHub = .fromEnvironment(),
                               log: (String) -> Void = { print($0) }) -> Int32 {
    let usage = """
        usage: Datasets [fetch|verify|list] [name…]
          fetch   find every data set, download what is missing (SHA-1 checked) into Datasets/, verify all (default)
          verify  check the data sets already present; download nothing
          list    the data sets, their files and the places searched
        names: \(DataSet.all.map(\.name).joined(separator: ", ")) (default: all of these), or \(DataSet.optional.map(\.name).joined(separator: ", "))
        """
    var args = arguments
    if args.contains("--help") || args.contains("-h") { log(usage); return 0 }
    var command = "fetch"
    if let first = args.first, ["fetch", "verify", "list"].contains(first) { command = first; args.removeFirst() }
    var sets: [DataSet] = []
    for name in args {
        guard let set = (DataSet.all + DataSet.optional).first(where: { $0.name == name }) else {
            log("unknown data set or command: \(name)\n\(usage)")
            return 2
        }
        sets.append(set)
    }
    if sets.isEmpty { sets = DataSet.all }
    switch command {
    case "list":
        for set in sets {
            log("\(set.name) (\(set.usedIn)):")
            for file in set.files {
                log("  \(file.path)  SHA-1 \(file.sha1 ?? "not published")  \(file.url ?? file.archive?.url ?? "")")
                for place in hub.candidates(for: file) { log("    looked for at \(place)") }
            }
        }
        return 0
    default:
        var h = hub
        if command == "verify" { h.allowDownload = false }
        let results = h.fetch(sets, log: log)
        let failed = results.filter { !$0.ok }.count
        log(failed == 0 ? "all \(results.count) data sets verified" : "\(failed) of \(results.count) data sets failed")
        return failed == 0 ? 0 : 1
    }
}
