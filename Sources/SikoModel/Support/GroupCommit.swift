import Synchronization

/// Gathers concurrent writes into one transaction: while one batch is being written, new requests
/// queue up and go together in the next. One fsync serves many requests, so throughput grows with
/// load while a lone request still goes out at once (no timer, no added latency).
public final class GroupCommit<Input: Sendable, Output: Sendable>: Sendable {
    public typealias Flush = @Sendable ([Input]) async -> [Result<Output, any Error>]

    private struct Waiting {
        var input: Input
        var continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        var flushing = false
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let flush: Flush

    /// `flush` answers one result per input, in order.
    public init(maxBatch: Int, flush: @escaping Flush) {
        self.maxBatch = maxBatch
        self.flush = flush
    }

    public func submit(_ input: Input) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startFlusher = state.withLock { state in
                state.queue.append(Waiting(input: input, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if startFlusher { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch: [Waiting] = state.withLock { state in
                guard !state.queue.isEmpty else {
                    state.flushing = false
                    return []
                }
                let count = min(maxBatch, state.queue.count)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return batch
            }
            guard !batch.isEmpty else { return }
            let results = await flush(batch.map(\.input))
            for (index, waiting) in batch.enumerated() {
                waiting.continuation.resume(with: index < results.count ? results[index] : .failure(GroupCommitError.missingResult))
            }
        }
    }
}

enum GroupCommitError: Error {
    case missingResult
}
