import SikoConfig
import Testing

@Suite("--database: the store named by a URL")
struct StoreLocationTests {
    @Test("sqlite: with a relative, an absolute or a slashed path", arguments: [
        ("sqlite:data/siko.sqlite", "data/siko.sqlite"),
        ("sqlite:/var/lib/siko/siko.sqlite", "/var/lib/siko/siko.sqlite"),
        ("sqlite:///var/lib/siko/siko.sqlite", "/var/lib/siko/siko.sqlite"),
    ])
    func sqlite(url: String, path: String) throws {
        #expect(try StoreLocation(url: url) == .sqlite(path: path))
    }

    @Test("the default is the data folder's siko.sqlite")
    func fromDataFolder() {
        #expect(StoreLocation(dataFolder: "./data") == .sqlite(path: "./data/siko.sqlite"))
        #expect(StoreLocation(dataFolder: "./data").description == "sqlite:./data/siko.sqlite")
    }

    @Test("a PostgreSQL URL is kept whole for the store, and shown without its password")
    func postgres() throws {
        let location = try StoreLocation(url: "postgresql://siko:geheim@db.siko.example:5433/siko?sslmode=require")
        #expect(location == .postgres(url: "postgresql://siko:geheim@db.siko.example:5433/siko?sslmode=require"))
        #expect(location.description == "postgresql://siko:***@db.siko.example:5433/siko?sslmode=require")
        #expect(try StoreLocation(url: "postgres://siko@db/siko").description == "postgres://siko@db/siko")
    }

    @Test("another scheme, or no file, is refused with what to write instead", arguments: ["mysql://db/siko", "sqlite:", "sqlite:data/", "data/siko.sqlite"])
    func refused(url: String) {
        #expect {
            try StoreLocation(url: url)
        } throws: { error in
            "\(error)".contains("use sqlite:PATH")
        }
    }
}
