//! Running the HTTP server: open the store, bind, announce, serve until Ctrl-C/SIGTERM.

use crate::api::{router, AppState};
use crate::config::Config;
use crate::store::sqlite::SqliteStore;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A bound, not yet serving, server.
pub struct Bound {
    listener: TcpListener,
    /// HTTPS configuration, when a certificate is configured.
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    metrics_listener: Option<TcpListener>,
    state: Arc<AppState>,
    store: Arc<SqliteStore>,
    /// The actual address (useful with port 0).
    pub addr: SocketAddr,
}

/// Opens the store in `config.data` and binds `config.listen`.
pub async fn bind(config: Config) -> anyhow::Result<Bound> {
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(c), Some(k)) => Some(crate::tls::server_config(c, k)?),
        (None, None) => None,
        _ => anyhow::bail!("TLS needs both tls_cert and tls_key (--tls-cert/--tls-key)"),
    };
    let data = config.data.clone();
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&data))
        .await?
        .with_context(|| format!("opening the store in {}", config.data.display()))?;
    tracing::info!(db = %store.path().display(), "store open");
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let metrics_listener = match config.metrics_listen.as_str() {
        "" => None,
        a => Some(
            TcpListener::bind(a)
                .await
                .with_context(|| format!("binding metrics_listen {a}"))?,
        ),
    };
    let store = Arc::new(store);
    let state = Arc::new(AppState::new(store.clone(), config));
    Ok(Bound {
        listener,
        tls,
        metrics_listener,
        state,
        store,
        addr,
    })
}

impl Bound {
    /// `https` when serving TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// Serves until `shutdown` resolves.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let store = self.store.clone();
        let retention = self.state.config.retention;
        let _maintenance =
            tokio::task::spawn_blocking(move || crate::maintenance::start(store, retention))
                .await??;
        if let Some(l) = self.metrics_listener {
            tracing::info!(addr = %l.local_addr()?, "metrics listener (no authentication)");
            let app = crate::api::metrics_router(self.state.clone());
            tokio::spawn(async move {
                if let Err(e) = axum::serve(l, app).await {
                    tracing::error!(error = %e, "metrics listener failed");
                }
            });
        }
        // Live inbox streams never end by themselves: end them when shutdown starts.
        let shutdown = async move {
            shutdown.await;
            crate::console::stop_live_streams();
        };
        if let Some(tls) = self.tls {
            let app = router(self.state)
                .layer(axum::middleware::from_fn(crate::tls::peer_as_socket_addr))
                .into_make_service_with_connect_info::<crate::tls::TlsPeer>();
            let listener = crate::tls::TlsListener::new(self.listener, tls)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await?;
            return Ok(());
        }
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
