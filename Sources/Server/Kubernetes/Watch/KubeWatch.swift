/// Long-running watches: an `AsyncThrowingStream` of `WatchEvent`s that survives server timeouts and dropped
/// connections by resuming from the last resourceVersion (bookmarks keep it fresh), and relists after
/// 410 Gone. Ends only when the consumer stops iterating (which closes the HTTP stream) or on a hard error.
extension KubeClients.Connection {
    /// Watches one resource in a namespace (nil: all namespaces) with optional selectors. When
    /// `resourceVersion` is nil the watch starts with a list, reported as `.relisted`.
    public func watch(_ resource: APIResourceInfo, namespace: String?, labelSelector: String? = nil,
                      fieldSelector: String? = nil, resourceVersion: String? = nil,
                      serverTimeoutSeconds: Int = 300) -> AsyncThrowingStream<WatchEvent, Error> {
        let (events, continuation) = AsyncThrowingStream<WatchEvent, Error>.makeStream()
        let connection = self
        let task = Task {
            var state = WatchState(resourceVersion: resourceVersion)
            var failures = 0
            while !Task.isCancelled {
                do {
                    if state.resourceVersion == nil {
                        let list = try await connection.list(resource, namespace: namespace,
                                                             options: ListOptions(labelSelector: labelSelector,
                                                                                  fieldSelector: fieldSelector))
                        let rv = list["metadata"]?["resourceVersion"]?.stringValue ?? "0"
                        state.relisted(resourceVersion: rv)
                        continuation.yield(.relisted(items: list["items"]?.arrayValue ?? [], resourceVersion: rv))
                    }
                    var query: [(String, String)] = [("watch", "1"), ("allowWatchBookmarks", "true"),
                                                     ("timeoutSeconds", String(serverTimeoutSeconds))]
                    if let rv = state.resourceVersion { query.append(("resourceVersion", rv)) }
                    if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
                    if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
                    let ns = resource.namespaced ? namespace : nil
                    var splitter = LineSplitter()
                    var relist = false
                    reading: for try await chunk in connection.client.stream(KubeRequest(path: resource.path(namespace: ns),
                                                                                          query: query)) {
                        for line in try splitter.feed(chunk) {
                            switch state.handle(line: line) {
                            case .emit(let event):
                                failures = 0
                                continuation.yield(event)
                            case .relist:
                                relist = true
                                break reading
                            case .failed(let status):
                                throw KubeError.status(status)
                            case .ignore:
                                break
                            }
                        }
                    }
                    if relist { continue }
                    // The server closed the watch (timeoutSeconds): resume from the last resourceVersion.
                } catch let error as KubeError {
                    if case .cancelled = error { break }
                    if error.statusCode == 410 {
                        state.expired()
                        continue
                    }
                    if case .refused = error {  // a guard rail: retrying cannot help
                        continuation.finish(throwing: error)
                        return
                    }
                    if case .status(let s) = error, [401, 403, 404].contains(s.code) {
                        continuation.finish(throwing: error)
                        return
                    }
                    failures += 1
                    if failures > 10 {
                        continuation.finish(throwing: error)
                        return
                    }
                    try? await Task.sleep(for: KubeClient.backoff(failures))
                } catch {
                    break
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return events
    }
}
