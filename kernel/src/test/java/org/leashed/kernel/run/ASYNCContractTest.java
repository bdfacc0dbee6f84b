package org.leashed.kernel.run;

class ASYNCContractTest extends SgdAlgorithmContract {
    @Override
    AlgorithmKind algorithm() {
        return AlgorithmKind.ASYNC;
    }
}
