package org.leashed.kernel.run;

class SYNCContractTest extends SgdAlgorithmContract {
    @Override
    AlgorithmKind algorithm() {
        return AlgorithmKind.SYNC;
    }
}
