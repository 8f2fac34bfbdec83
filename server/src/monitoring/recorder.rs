//! The process's Prometheus recorder, installed once (a test binary builds many servers; they
//! share it, as the replicas of one process would).

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Renders what the process has counted so far.
#[derive(Clone)]
pub struct MetricsHandle(PrometheusHandle);

impl MetricsHandle {
    /// The text a scrape answers (histogram buckets brought up to date first).
    pub fn render(&self) -> String {
        self.0.run_upkeep();
        self.0.render()
    }
}

static INSTALLED: OnceLock<Result<MetricsHandle, String>> = OnceLock::new();

/// Latency buckets in seconds: the sidebar's reads answer in milliseconds; a sync call to
/// WeCom or an import batch may take seconds.
const SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Installs the recorder on first use; later calls get the same handle.
pub fn install() -> anyhow::Result<MetricsHandle> {
    INSTALLED
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
                .map_err(|err| err.to_string())?;
            builder
                .install_recorder()
                .map(MetricsHandle)
                .map_err(|err| err.to_string())
        })
        .clone()
        .map_err(|err| anyhow::anyhow!("cannot install the metrics recorder: {err}"))
}
