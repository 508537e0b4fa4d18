export { startFakeUpstream, type FakeUpstream, type FakeRequest, type FailMode, type FailOptions } from "./fake-upstream";
