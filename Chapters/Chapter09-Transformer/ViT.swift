import D2L

/// Placeholder while this section is being written on a branch; replaced before release.
func runViT(_ o: ChapterOptions) throws {
    print("runViT: not written yet")
}
