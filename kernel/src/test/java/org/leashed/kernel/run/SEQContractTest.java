package org.leashed.kernel.run;

class SEQContractTest extends SgdAlgorithmContract {
    @Override
    AlgorithmKind algorithm() {
        return AlgorithmKind.SEQ;
    }
}
