import D2L

/// Placeholder while this section is being written on a branch; replaced before release.
func runNormOrder(_ o: ChapterOptions) throws {
    print("runNormOrder: not written yet")
}
