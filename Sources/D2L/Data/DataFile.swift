/// One file of a data set, as the book's `DATA_HUB` describes it (§4.10): where it lives
/// relative to a data directory, its published SHA-1, and where to download it.
public struct DataFile: Sendable {
    /// A zip archive that contains the file (d2l ships fra-eng as `fra-eng.zip`).
    public struct Archive: Sendable {
        public let name: String
        public let sha1: String?
        public let url: String
        /// Path of the wanted file inside the archive.
        public let member: String
    }

    /// Human name of the data set, for messages ("Fashion-MNIST").
    public let dataset: String
    /// Path relative to a data directory ("fashion-mnist/train-images-idx3-ubyte.gz").
    public let path: String
    /// Published SHA-1 of the file, checked whenever it is read (nil: not published).
    public let sha1: String?
    /// Exact size in bytes when known (with the SHA-1): checked before the file is read or
    /// extracted, so a huge wrong file is rejected without reading it.
    public let size: Int?
    /// Where to download the file itself, if it is published on its own.
    public let url: String?
    /// Extra directories holding the file directly under its last path component
    /// (e.g. `/usr/share/datasets/fashion-mnist` from Debian's dataset-fashion-mnist).
    public let systemDirectories: [String]
    public let archive: Archive?
    /// Ways to get the file, shown when it cannot be found.
    public let howToGet: [String]

    public init(dataset: String, path: String, sha1: String?, size: Int? = nil, url: String?,
                systemDirectories: [String] = [], archive: Archive? = nil, howToGet: [String] = []) {
        self.dataset = dataset; self.path = path; self.sha1 = sha1; self.size = size; self.url = url
        self.systemDirectories = systemDirectories; self.archive = archive; self.howToGet = howToGet
    }

    /// The last path component ("train-images-idx3-ubyte.gz").
    public var fileName: String { String(path.split(separator: "/").last ?? Substring(path)) }
}

/// The book's download server (`d2l.DATA_URL`).
public let d2lDataURL = "http://d2l-data.s3-accelerate.amazonaws.com/"

extension DataFile {
    static func hub(_ dataset: String, _ name: String, _ sha1: String, size: Int) -> DataFile {
        DataFile(dataset: dataset, path: name, sha1: sha1, size: size, url: d2lDataURL + name)
    }

    /// H. G. Wells, *The Time Machine* (§8.2).
    public static let timeMachine = hub("Time Machine", "timemachine.txt", "090b5e7e70c295757f55df93cb0a180b9691891a", size: 178_979)
    /// UCI Airfoil Self-Noise (§11.5).
    public static let airfoil = hub("Airfoil Self-Noise", "airfoil_self_noise.dat", "76e5be1548fd8222e5074cf0faae75edff8cf93f", size: 59_984)
    /// Kaggle House Prices (§4.10).
    public static let kaggleHouseTrain = hub("Kaggle House Prices", "kaggle_house_pred_train.csv", "585e9cc93e70b39160e7921475f9bcd7d31219ce", size: 460_676)
    public static let kaggleHouseTest = hub("Kaggle House Prices", "kaggle_house_pred_test.csv", "fa19780a7b011d9b009e8bff8e99922a8ee2eb90", size: 451_405)
    /// Tatoeba English–French pairs (§9.5). d2l publishes only the zip's SHA-1; the bare
    /// file's SHA-1 is the one of the extracted `fra.txt` (see Datasets/README.md).
    public static let fraEng = DataFile(
        dataset: "fra-eng (English-French)", path: "fra-eng/fra.txt",
        sha1: "c43f99dce27311d3afd4d3e0716848194cfcc103", size: 11_669_748, url: nil,
        archive: Archive(name: "fra-eng.zip", sha1: "94646ad1522d915e7b0f9296181140edcf86a4f5",
                         url: d2lDataURL + "fra-eng.zip", member: "fra-eng/fra.txt"))

    /// The four IDX files of Fashion-MNIST (Zalando; MIT license) or MNIST.
    public static func imageClassification(_ dataset: ImageDataset, _ name: String) -> DataFile {
        switch dataset {
        case .fashionMNIST:
            let url = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/" + name
            return DataFile(dataset: "Fashion-MNIST", path: "fashion-mnist/" + name, sha1: nil, url: url,
                            systemDirectories: ["/usr/share/datasets/fashion-mnist"],
                            howToGet: ["apt-get install dataset-fashion-mnist (installs /usr/share/datasets/fashion-mnist/)",
                                       "or put the .gz files in $D2L_DATA_DIR/fashion-mnist/ or Datasets/fashion-mnist/",
                                       "or download \(url)"])
        case .mnist:
            let url = "https://ossci-datasets.s3.amazonaws.com/mnist/" + name
            return DataFile(dataset: "MNIST", path: "mnist/" + name, sha1: nil, url: url,
                            howToGet: ["put the IDX .gz files in $D2L_DATA_DIR/mnist/ or Datasets/mnist/",
                                       "or download \(url)"])
        }
    }
}

/// Which IDX image data set `loadDataFashionMNIST` reads.
public enum ImageDataset: Sendable {
    case fashionMNIST
    case mnist
}
