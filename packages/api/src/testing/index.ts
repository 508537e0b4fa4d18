export { startFakeUpstream, type FakeUpstream, type FakeRequest, type FailMode, type FailOptions } from "./fake-upstream";
export { startReceiver, selfSignedCert, type Receiver, type ReceivedRequest, type Answer } from "./receiver";
export { createAuthTestEnv, TEST_PASSWORD, type AuthTestEnv, type TestBrowser } from "./auth-env";
export { generatedCoin, generatedCoins, GENERATED_COINS } from "./coin-list";
