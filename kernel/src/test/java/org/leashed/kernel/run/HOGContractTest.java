package org.leashed.kernel.run;

class HOGContractTest extends SgdAlgorithmContract {
    @Override
    AlgorithmKind algorithm() {
        return AlgorithmKind.HOG;
    }
}
