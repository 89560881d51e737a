package io.cairn.persistence.file;

import io.cairn.api.persistence.SessionState;
import io.cairn.api.persistence.tck.SessionStoreContract;

/** Reaches the contract suite's field-by-field session comparison. */
abstract class SessionStoreAssert extends SessionStoreContract {

    private SessionStoreAssert() {
    }

    static void assertSame(SessionState actual, SessionState expected) {
        SessionStoreContract.assertSameSession(actual, expected);
    }
}
