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

    @Test("another scheme, or no file, is refused with what to write instead", arguments: ["mysql://db/siko", "sqlite:", "sqlite:data/", "data/siko.sqlite"])
    func refused(url: String) {
        #expect {
            try StoreLocation(url: url)
        } throws: { error in
            "\(error)".contains("use sqlite:PATH")
        }
    }
}
