/// What more than one validator says of a field, worded once in both languages so the API and
/// the console say the same thing the same way everywhere.
extension LocalizedText {
    public static let required = LocalizedText("is required", de: "ist erforderlich")
    public static let areaRequired = LocalizedText("at least one area is required", de: "mindestens ein Gebiet ist erforderlich")
    public static let inThePast = LocalizedText("lies in the past", de: "liegt in der Vergangenheit")
    public static let urgencies = LocalizedText(
        "must be one of low, medium, high, critical", de: "muss eine von low, medium, high, critical sein"
    )
    public static let channels = LocalizedText("must be one of email, sms, webhook", de: "muss einer von email, sms, webhook sein")

    /// A value of a closed list whose German noun is masculine (der Kanal, der Status, der Scope).
    public static func oneOf(_ values: [String]) -> LocalizedText {
        let list = values.joined(separator: ", ")
        return LocalizedText("must be one of \(list)", de: "muss einer von \(list) sein")
    }

    public static func length(upTo characters: Int) -> LocalizedText {
        LocalizedText("must be 1 to \(characters) characters", de: "muss 1 bis \(characters) Zeichen lang sein")
    }

    public static func wholeNumber(from lower: Int, to upper: Int) -> LocalizedText {
        LocalizedText("must be a whole number from \(lower) to \(upper)", de: "muss eine ganze Zahl von \(lower) bis \(upper) sein")
    }

    public static func atMost(areas count: Int) -> LocalizedText {
        LocalizedText("at most \(count) areas", de: "höchstens \(count) Gebiete")
    }

    public static func atMost(topics count: Int) -> LocalizedText {
        LocalizedText("at most \(count) topics", de: "höchstens \(count) Themen")
    }

    /// `value` is cut to 64 characters: the text repeats what the caller sent.
    public static func unknownTopic(_ value: String) -> LocalizedText {
        let shown = value.prefix(64)
        return LocalizedText("unknown topic '\(shown)' (see GET /v1/topics)", de: "unbekanntes Thema '\(shown)' (siehe GET /v1/topics)")
    }

    /// `value` is cut to 64 characters; `ags` adds that an AGS is taken, too.
    public static func unknownArea(_ value: String, ags: Bool) -> LocalizedText {
        let shown = value.prefix(64)
        return ags
            ? LocalizedText(
                "unknown area '\(shown)' (an area id or AGS, see GET /v1/areas)",
                de: "unbekanntes Gebiet '\(shown)' (eine Gebiets-ID oder ein AGS, siehe GET /v1/areas)"
            )
            : LocalizedText("unknown area '\(shown)' (see GET /v1/areas)", de: "unbekanntes Gebiet '\(shown)' (siehe GET /v1/areas)")
    }
}
