import Foundation
import Mustache

/// The console's templates and static files, shipped beside the binary as the module's resources.
public struct ConsoleResources: Sendable {
    public let templates: MustacheLibrary
    public let staticDirectory: URL

    public init() async throws {
        guard let base = Bundle.module.resourceURL else { throw CocoaError(.fileNoSuchFile) }
        templates = try await MustacheLibrary(directory: base.appendingPathComponent("Templates").path)
        staticDirectory = base.appendingPathComponent("Static")
    }
}
