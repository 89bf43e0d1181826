import ArgumentParser
import Foundation
import SikoModel
import SikoCore
import SikoSQLite

struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List deliveries as a table, newest first.")

    @OptionGroup var data: DataOptions

    @Option(help: "Only the deliveries of this event.")
    var event: String?

    @Option(help: "Only deliveries in this state: \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
    var status: String?

    @Option(help: "At most this many rows.")
    var limit = 100

    func run() async throws {
        var query = DeliveryQuery(eventId: event, limit: limit)
        if let status {
            guard let value = DeliveryStatus(rawValue: status) else { throw ValidationError("unknown status '\(status)'") }
            query.status = value
        }
        let deliveries = try await CLI.services(data).deliveries
        let found: [Delivery]
        do {
            found = try await deliveries.list(query, by: .operator)
        } catch ServiceError.invalid(let failure) {
            for error in failure.errors { CLI.printError("error: --\(error.field): \(error.message)") }
            throw ExitCode(1)
        }
        let rows = found.map { delivery in
            [
                delivery.id, delivery.eventId, delivery.partner, delivery.channel.rawValue, delivery.status.rawValue,
                String(delivery.attempts), JSONCoding.format(delivery.updatedAt), delivery.target,
                String((delivery.lastError ?? "").prefix(60)),
            ]
        }
        print(Table.render(header: ["ID", "EVENT", "PARTNER", "CHANNEL", "STATUS", "ATTEMPTS", "UPDATED", "TARGET", "LAST ERROR"], rows: rows))
    }
}

enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
