//! Errors at the video layer's boundary, worded for the clerk who sees them.

use thiserror::Error;

use super::site::SiteId;

/// What can go wrong when starting a gateway or commanding it.
#[derive(Debug, Error)]
pub enum VideoError {
    /// The SIP socket could not be opened.
    #[error("无法打开 SIP 端口 {addr}，请检查配置 (cannot bind SIP on {addr}): {detail}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// What the OS or stack said.
        detail: String,
    },
    /// A site address is not a usable SIP URI / vendor id.
    #[error(
        "分会场 {site} 的地址 `{address}` 无效，请改正 (invalid address for site {site}): {detail}"
    )]
    BadAddress {
        /// The site.
        site: SiteId,
        /// The address as configured.
        address: String,
        /// Why it is invalid.
        detail: String,
    },
    /// A command named a site the gateway does not know.
    #[error("未知分会场 {0}，请先添加 (unknown site {0})")]
    UnknownSite(SiteId),
    /// The gateway task has stopped; restart the service.
    #[error("视频网关已停止，请重启服务 (the video gateway has stopped)")]
    Stopped,
    /// Probe timings that break the 5 s loss-detection promise.
    #[error("视频链路检测参数无效，请改正配置 (bad link-probe timing): {0}")]
    BadTiming(String),
    /// The vendor MCU API answered with an error.
    #[error("MCU 接口错误，请检查 MCU 地址和令牌 (MCU API error): {0}")]
    Mcu(String),
}
