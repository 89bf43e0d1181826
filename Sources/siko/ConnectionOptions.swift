import SikoCore
import ArgumentParser
import Logging
import SikoModel
import SikoServer

/// `siko serve`'s limits on client connections.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "A connection with no request for this long is closed (e.g. 60s).")
    var idleTimeout = DurationText.format(ConnectionLimits.standard.idleTimeout)

    @Option(help: "How long a request's head and body may take to arrive, from its first byte, before the connection is closed.")
    var requestTimeout = DurationText.format(ConnectionLimits.standard.requestTimeout)

    @Option(help: "Connections open at once; one more is closed as soon as it is accepted.")
    var maxConnections = ConnectionLimits.standard.maxConnections

    func validate() throws {
        for (flag, text) in [("--idle-timeout", idleTimeout), ("--request-timeout", requestTimeout)] {
            guard DurationText.parse(text).map({ $0 > .zero }) == true else {
                throw ValidationError("\(flag): '\(text)' is not a duration such as 30s")
            }
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
    }

    /// Raises the open-file limit as far as the system allows, and warns when it still falls short
    /// of the cap plus room for the store, outbound connections and logs: beyond the limit the
    /// system refuses connections the cap would have let in.
    func raiseOpenFileLimit(logger: Logger) {
        let reserve = 256
        guard let openFiles = OpenFileLimit.raiseToHard(), openFiles < maxConnections + reserve else { return }
        logger.warning("the open-file limit leaves too little room for --max-connections", metadata: [
            "openFiles": "\(openFiles)", "maxConnections": "\(maxConnections)",
        ])
    }

    var limits: ConnectionLimits {
        ConnectionLimits(
            idleTimeout: DurationText.parse(idleTimeout) ?? ConnectionLimits.standard.idleTimeout,
            requestTimeout: DurationText.parse(requestTimeout) ?? ConnectionLimits.standard.requestTimeout,
            maxConnections: maxConnections
        )
    }
}
