import Foundation
import SikoCore
import SikoModel

/// What templates read of the model: plain dictionaries of text, already in the page's language
/// and time zone, so templates hold no logic.
struct Views {
    let language: Language
    let times = TimeText()
    let reference: ReferenceData

    func t(_ key: String) -> String { ConsoleText.text(key, language) }

    func areaNames(_ ids: [String]) -> String {
        ids.map { reference.areas.area($0)?.name ?? $0 }.joined(separator: ", ")
    }

    func partnerName(_ id: String) -> String {
        guard let partner = reference.partner(id) else { return id }
        return language == .en ? partner.nameEn ?? partner.name : partner.name
    }

    func topicName(_ id: String) -> String {
        guard let topic = reference.topics.first(where: { $0.id == id }) else { return id }
        return language == .en ? topic.nameEn ?? topic.name : topic.name
    }

    func urgency(_ urgency: Urgency) -> String { t("urgency_" + urgency.rawValue) }
    func rule(_ rule: PolicyRule) -> String { t("rule_" + rule.rawValue) }
    func bulletinStatus(_ status: BulletinStatus) -> String { t("bstatus_" + status.rawValue) }
    func bulletinAction(_ action: BulletinAction) -> String { t("baction_" + action.rawValue) }
    func channel(_ channel: ChannelKind) -> String { t("channel_" + channel.rawValue) }
    func status(_ status: DeliveryStatus) -> String { ConsoleText.status(status, language) }

    func event(_ event: Event) -> [String: Any] {
        [
            "id": event.id, "title": event.title, "publisher": partnerName(event.publisher), "topic": topicName(event.topic),
            "urgency": urgency(event.urgency), "urgencyKey": event.urgency.rawValue, "areas": areaNames(event.areas),
            "publishedAt": times.text(event.publishedAt, language), "publishedAtMachine": times.machine(event.publishedAt),
            "expiresAt": section(event.expiresAt.map { times.text($0, language) }),
            "classification": t("classification_" + event.classification.rawValue),
            "restricted": event.classification == .restricted, "exercise": event.exercise, "test": event.test,
            "correction": section(event.messageType.mark(language: language)),
        ]
    }

    /// An event's chain (original, updates, cancellation) as the event page lists it; `current` is the page's event.
    func chain(_ chain: [Event], current: String) -> [[String: Any]] {
        chain.map { link in
            [
                "id": link.id, "title": link.title.isEmpty ? link.id : link.title, "current": link.id == current,
                "kind": t("message_" + link.messageType.rawValue),
                "publishedAt": times.text(link.publishedAt, language), "publishedAtMachine": times.machine(link.publishedAt),
            ]
        }
    }

    func delivery(_ delivery: Delivery, back: String) -> [String: Any] {
        [
            "id": delivery.id, "eventId": delivery.eventId, "channel": channel(delivery.channel), "target": delivery.target,
            "status": status(delivery.status), "statusKey": delivery.status.rawValue, "attempts": delivery.attempts,
            "lastError": delivery.lastError ?? "", "updatedAt": times.text(delivery.updatedAt, language),
            "updatedAtMachine": times.machine(delivery.updatedAt), "partner": partnerName(delivery.partner),
            "retryable": DeliveryStatus.requeueable.contains(delivery.status), "back": back,
        ]
    }

    /// The states in the order a delivery passes them, as table columns.
    var statusColumns: [[String: String]] {
        DeliveryStatus.allCases.map { ["key": $0.rawValue, "label": status($0)] }
    }

    func board(_ board: DeliveryBoard) -> [String: Any] {
        [
            "settled": board.settled,
            "rows": board.rows.map { row in
                [
                    "key": row.partner + "/" + row.channel.rawValue, "partner": partnerName(row.partner), "channel": channel(row.channel),
                    "cells": DeliveryStatus.allCases.map { ["status": $0.rawValue, "count": row.count($0)] }, "total": row.total,
                ] as [String: Any]
            },
            "totals": DeliveryStatus.allCases.map { ["status": $0.rawValue, "count": board.totals[$0] ?? 0] as [String: Any] },
            "total": board.totals.values.reduce(0, +),
        ]
    }

    func options<T: RawRepresentable>(_ values: [T], selected: T?, label: (T) -> String) -> [[String: Any]] where T.RawValue == String {
        values.map { ["value": $0.rawValue, "label": label($0), "selected": $0.rawValue == selected?.rawValue] }
    }
}

/// A value for a template section: mustache treats `false` as absent, but would treat a nil
/// wrapped in `Any` as present.
func section<T>(_ value: T?) -> Any { value.map { $0 as Any } ?? false }
