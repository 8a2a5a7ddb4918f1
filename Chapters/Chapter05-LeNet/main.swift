// Chapter05-LeNet: the book's chapter 6 (Convolutional neural networks). §6.2–6.5 from scratch
// (Scratch.swift), then LeNet (§6.6) from scratch (Scratch.swift) and concise (Concise.swift),
// trained with trainCh6; the §6.6 exercises in Exercises.swift. `--help` lists the options.
import D2L

chapterCommand().run(runChapter)
