/// How `list` honours `--allowed-namespaces`: a list across all namespaces becomes one list per allowed
/// namespace, merged; a list of Namespaces keeps only the allowed ones.
///
/// Plain extension; any task.
extension KubeClients.Connection {
    /// Lists a namespaced resource in each allowed namespace in turn and merges the pages (see `NarrowedList`).
    /// `limit` applies to the merged result; the continue token of the result pages across namespaces and is
    /// understood only by this function (a token from another list is refused with a clear error).
    func listNarrowed(_ resource: APIResourceInfo, namespaces: [String], options: ListOptions) async throws(KubeError)
        -> JSONValue
    {
        var index = 0
        var inner: String?
        if let given = options.continueToken, !given.isEmpty {
            guard let cursor = NarrowedList.Cursor(token: given),
                  let position = namespaces.firstIndex(of: cursor.namespace)
            else {
                throw .configuration("the continue token does not belong to this list: while --allowed-namespaces "
                    + "is set, a list across namespaces pages with its own tokens; list again without continue")
            }
            (index, inner) = (position, cursor.innerToken)
        }
        var pages: [JSONValue] = []
        var collected = 0
        var next: NarrowedList.Cursor?
        while index < namespaces.count {
            var pageOptions = options
            pageOptions.continueToken = inner
            if let limit = options.limit { pageOptions.limit = max(1, limit - collected) }
            let request = KubeRequest(path: resource.path(namespace: namespaces[index]), query: pageOptions.query,
                                      accept: options.asTable ? Self.tableAccept : "application/json")
            let page = try await client.send(request).json()
            pages.append(page)
            collected += NarrowedList.count(page)
            let full = options.limit.map { collected >= $0 } ?? false
            if let token = page["metadata"]?["continue"]?.stringValue, !token.isEmpty {
                if full {
                    next = NarrowedList.Cursor(namespace: namespaces[index], innerToken: token)
                    break
                }
                inner = token
                continue
            }
            index += 1
            inner = nil
            if full {
                if index < namespaces.count { next = NarrowedList.Cursor(namespace: namespaces[index]) }
                break
            }
        }
        return NarrowedList.merge(pages, continueToken: next?.token)
    }
}
