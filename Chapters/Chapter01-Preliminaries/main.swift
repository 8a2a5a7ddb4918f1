// Chapter01-Preliminaries: the book's chapter 2 (Preliminaries) — §2.1 data manipulation,
// §2.3 linear algebra, §2.4 calculus, §2.5 automatic differentiation — as notebook-style
// cells run with our Tensor. Usage: swift run Chapter01-Preliminaries [section ...] (--help)
import D2L

chapterCommand().run(runChapter)
