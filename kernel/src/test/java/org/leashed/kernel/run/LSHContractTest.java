package org.leashed.kernel.run;

class LSHContractTest extends SgdAlgorithmContract {
    @Override
    AlgorithmKind algorithm() {
        return AlgorithmKind.LSH;
    }
}
