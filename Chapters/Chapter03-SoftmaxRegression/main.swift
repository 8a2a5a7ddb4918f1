// Chapter03-SoftmaxRegression: the book's §3.5–3.7. The Fashion-MNIST data set (§3.5), softmax
// regression from scratch (§3.6, Scratch.swift) and concisely (§3.7, Concise.swift), each
// trained 10 epochs at batch 256, lr 0.1 with trainCh3. `--help` lists the options.
import D2L

chapterCommand().run(runChapter)
