/// A data set the chapters use, as a unit a user fetches (`swift run Datasets fetch`) or a test
/// requires (`TestData.require(.timeMachine)`): its files and how to check their content.
public struct DataSet: Sendable {
    /// Short name used on the command line ("timemachine", "fashion-mnist", …).
    public let name: String
    /// The book sections that read it.
    public let usedIn: String
    public let files: [DataFile]
    /// Decodes the located files and returns a one-line summary (e.g. "60000 + 10000 images");
    /// throws a `DataError` naming the file if the content is wrong. Files with a published
    /// SHA-1 are also checked against it before this runs.
    public let verify: @Sendable (DataHub) throws -> String

    public init(name: String, usedIn: String, files: [DataFile], verify: @escaping @Sendable (DataHub) throws -> String) {
        self.name = name; self.usedIn = usedIn; self.files = files; self.verify = verify
    }
}

extension DataSet {
    /// §8.2–8.6: H. G. Wells, *The Time Machine*.
    public static let timeMachine = DataSet(name: "timemachine", usedIn: "§8.2–8.6, ch. 9", files: [.timeMachine]) { hub in
        "\(try readTimeMachine(hub: hub).count) lines"
    }
    /// §9.5–10.7: Tatoeba English–French pairs.
    public static let fraEng = DataSet(name: "fra-eng", usedIn: "§9.5–10.7", files: [.fraEng]) { hub in
        "\(tokenizeNMT(try readDataNMT(hub: hub)).source.count) sentence pairs"
    }
    /// §11.5: NASA airfoil self-noise.
    public static let airfoil = DataSet(name: "airfoil", usedIn: "ch. 11", files: [.airfoil]) { hub in
        "\(try getDataCh11(batchSize: 10, n: .max, hub: hub, seed: 0).iterator.numExamples) rows"
    }
    /// §4.10: Kaggle House Prices, train and test.
    public static let kaggleHouse = DataSet(name: "kaggle-house", usedIn: "§4.10",
                                            files: [.kaggleHouseTrain, .kaggleHouseTest]) { hub in
        let (train, test) = try readKaggleHouseData(hub: hub)
        return "\(train.rows.count) + \(test.rows.count) houses"
    }
    /// Ch. 3–7: Fashion-MNIST (no SHA-1 is published for Zalando's files: the content is checked
    /// by decoding, gzip CRC-32 and length, IDX header and exact size, 28×28 images).
    public static let fashionMNIST = images(.fashionMNIST, name: "fashion-mnist", usedIn: "ch. 3–7")
    /// MNIST digits, which the chapters read instead of Fashion-MNIST with `--dataset mnist`
    /// (optional: not in `all`; fetched by name).
    public static let mnist = images(.mnist, name: "mnist", usedIn: "optional, --dataset mnist")

    /// Every data set a chapter reads by default, in book order.
    public static let all: [DataSet] = [fashionMNIST, kaggleHouse, timeMachine, fraEng, airfoil]
    /// Data sets fetched only when named.
    public static let optional: [DataSet] = [mnist]

    static func images(_ dataset: ImageDataset, name: String, usedIn: String) -> DataSet {
        DataSet(name: name, usedIn: usedIn, files: imageFiles(dataset)) { hub in
            let sets = try readIDXImageSets(dataset, splits: ["train", "t10k"], hub: hub)
            return "\(sets[0].count) + \(sets[1].count) images of \(sets[0].rows)×\(sets[0].cols)"
        }
    }

    /// The four IDX files (train and t10k images and labels) of an image data set.
    public static func imageFiles(_ dataset: ImageDataset) -> [DataFile] {
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
            .map { DataFile.imageClassification(dataset, $0) }
    }
}
