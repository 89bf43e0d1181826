import SikoModel

struct AreaList: Encodable {
    var areas: [Area]
}

struct TopicList: Encodable {
    var topics: [Topic]
}

struct Status: Encodable {
    var status: String
}
