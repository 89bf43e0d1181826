import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a parsed document: name, namespace, its text and its child elements, and the line
/// it starts on (for error messages). CAP has no attributes and no mixed content that matters.
struct XMLElementNode: Sendable, Equatable {
    var name: String
    var namespace: String?
    var text: String
    var children: [XMLElementNode]
    var line: Int
}

/// Reads bytes into a tree of elements with libxml2 (Foundation's XMLParser), bounded in depth and
/// element count. Only what `XMLPrescan` let through reaches it, so it never sees a DTD.
enum XMLTreeReader {
    struct Limits: Sendable {
        var depth = 12
        var elements = 100_000
    }

    enum Failure: Error, Equatable {
        case malformed(line: Int, detail: String)
        case tooDeep(line: Int)
        case tooManyElements
    }

    static func read(_ bytes: [UInt8], limits: Limits = Limits()) throws(Failure) -> XMLElementNode {
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder(limits: limits, parser: parser)
        parser.delegate = builder
        let finished = parser.parse()
        if let failure = builder.failure { throw failure }
        guard finished, let root = builder.root else {
            let detail = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "not well-formed XML"
            throw .malformed(line: max(parser.lineNumber, 1), detail: detail)
        }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        let limits: Limits
        unowned let parser: XMLParser
        var stack: [XMLElementNode] = []
        var root: XMLElementNode?
        var count = 0
        var failure: Failure?

        init(limits: Limits, parser: XMLParser) {
            self.limits = limits
            self.parser = parser
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            count += 1
            if stack.count >= limits.depth { return stop(.tooDeep(line: parser.lineNumber)) }
            if count > limits.elements { return stop(.tooManyElements) }
            let namespace = namespaceURI.flatMap { $0.isEmpty ? nil : $0 }
            stack.append(XMLElementNode(name: elementName, namespace: namespace, text: "", children: [], line: parser.lineNumber))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let done = stack.popLast() else { return }
            if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
        }

        /// Never reached after the prescan; if libxml2 still meets an entity declaration, it stops.
        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            stop(.malformed(line: parser.lineNumber, detail: "entity declarations are not accepted"))
        }

        func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? { nil }

        private func stop(_ failure: Failure) {
            guard self.failure == nil else { return }
            self.failure = failure
            parser.abortParsing()
        }
    }
}
