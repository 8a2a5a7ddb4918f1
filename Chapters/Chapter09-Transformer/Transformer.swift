import D2L

/// Placeholder while this section is being written on a branch; replaced before release.
func runTransformer(_ o: ChapterOptions) throws {
    print("runTransformer: not written yet")
}
