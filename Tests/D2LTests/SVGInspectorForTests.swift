import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// Parses SVG text with Foundation's XMLParser and records every element with its attributes
/// and text, so tests can check well-formedness and count elements.
final class SVGInspector: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
    }

    private(set) var elements: [Element] = []
    private var stack: [Int] = []
    private(set) var parseError: Error?

    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        if !parser.parse() { parseError = parser.parserError ?? NSError(domain: "SVGInspector", code: 1) }
    }

    var isWellFormed: Bool { parseError == nil }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elements.append(Element(name: elementName, attributes: attributeDict))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for i in stack { elements[i].text += string }
    }

    func count(_ name: String, where predicate: (Element) -> Bool = { _ in true }) -> Int {
        elements.filter { $0.name == name && predicate($0) }.count
    }

    func all(_ name: String, where predicate: (Element) -> Bool = { _ in true }) -> [Element] {
        elements.filter { $0.name == name && predicate($0) }
    }

    /// All text content of `<text>` elements.
    var texts: [String] { elements.filter { $0.name == "text" }.map(\.text) }
}

/// A fresh temporary folder for figures written by a test. When the environment variable
/// D2L_KEEP_TEST_FIGURES names a folder, figures go there instead (to look at them).
func figureFolder(_ test: String) -> URL {
    if let keep = ProcessInfo.processInfo.environment["D2L_KEEP_TEST_FIGURES"], !keep.isEmpty {
        return URL(fileURLWithPath: keep, isDirectory: true)
    }
    return FileManager.default.temporaryDirectory.appendingPathComponent("d2l-\(test)-\(UUID().uuidString)")
}
