// Chapter06-ModernCNN: the book's chapter 7 (Modern convolutional neural networks, §7.1–7.7):
// AlexNet, VGG, NiN, GoogLeNet, batch normalization, ResNet and DenseNet on Fashion-MNIST.
// Blocks and networks: Sources/D2L/Models; batch norm and the residual block from scratch:
// Scratch.swift; the sections: Concise.swift; settings: Configurations.swift. `--help` lists the options.
import D2L

chapterCommand().run(runChapter)
