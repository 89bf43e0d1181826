/// Database URLs as logs and messages may show them.
public enum URLPassword {
    /// `scheme://user:secret@host/…` as `scheme://user:***@host/…`; a URL without one as it is.
    public static func hidden(in url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        guard let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
