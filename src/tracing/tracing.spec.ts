import { shutdownTracing, startTracing, tracingEnabled } from './tracing';

const mockSdk = { start: jest.fn(), shutdown: jest.fn(() => Promise.resolve()) };
const mockSdkModule = { loads: 0, created: 0 };
// Stands in for the real SDK, and records whether tracing.ts ever required it.
jest.mock('./otel-sdk', () => {
  mockSdkModule.loads++;
  return {
    createTracingSdk: () => {
      mockSdkModule.created++;
      return mockSdk;
    },
  };
});

const ENDPOINT = { otlpEndpoint: 'http://127.0.0.1:4318', workers: 1 };

describe('startTracing', () => {
  afterEach(async () => {
    await shutdownTracing();
    jest.clearAllMocks();
    mockSdkModule.created = 0;
  });

  it('loads nothing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    startTracing({ otlpEndpoint: undefined, workers: 1 });
    expect(tracingEnabled()).toBe(false);
    expect(mockSdkModule.loads).toBe(0);
  });

  it('stays off in a cluster primary, which only forks workers', () => {
    startTracing({ ...ENDPOINT, workers: 2 });
    expect(tracingEnabled()).toBe(false);
  });

  it('starts the SDK once with an endpoint, and flushes it on shutdown', async () => {
    startTracing(ENDPOINT);
    startTracing(ENDPOINT);
    expect(tracingEnabled()).toBe(true);
    expect(mockSdkModule.created).toBe(1);
    expect(mockSdk.start).toHaveBeenCalledTimes(1);
    await shutdownTracing();
    expect(mockSdk.shutdown).toHaveBeenCalledTimes(1);
    expect(tracingEnabled()).toBe(false);
  });

  it('gives up waiting for a collector that never answers the shutdown flush', async () => {
    jest.useFakeTimers();
    try {
      startTracing(ENDPOINT);
      mockSdk.shutdown.mockImplementationOnce(() => new Promise(() => undefined));
      let done = false;
      const stopping = shutdownTracing().then(() => {
        done = true;
      });
      await jest.advanceTimersByTimeAsync(2_999);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await stopping;
      expect(done).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
