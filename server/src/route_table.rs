//! Every route is added through a `RouteTable`, which sets the method itself and remembers
//! it: the API description (`api_doc`) is checked against this list, so a route the server
//! answers cannot go undescribed (actix cannot list the routes it was given).

use actix_web::http::Method;
use actix_web::{Route, web};

/// One route as the server registered it: its method and its actix pattern
/// (`/s/{token}`, `/sidebar/{path:.*}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRoute {
    pub method: Method,
    pub pattern: &'static str,
}

pub struct RouteTable<'a> {
    cfg: &'a mut web::ServiceConfig,
    listed: Vec<ListedRoute>,
}

impl<'a> RouteTable<'a> {
    pub fn new(cfg: &'a mut web::ServiceConfig) -> Self {
        Self {
            cfg,
            listed: Vec::new(),
        }
    }

    /// Answers `method` on `pattern` with the route `to` makes of it: `|r| r.to(handler)`,
    /// with `.wrap(...)` for a middleware of this route alone.
    pub fn add(
        &mut self,
        method: Method,
        pattern: &'static str,
        to: impl FnOnce(Route) -> Route,
    ) -> &mut Self {
        self.cfg
            .route(pattern, to(web::route().method(method.clone())));
        self.listed.push(ListedRoute { method, pattern });
        self
    }

    pub fn get(&mut self, pattern: &'static str, to: impl FnOnce(Route) -> Route) -> &mut Self {
        self.add(Method::GET, pattern, to)
    }

    pub fn post(&mut self, pattern: &'static str, to: impl FnOnce(Route) -> Route) -> &mut Self {
        self.add(Method::POST, pattern, to)
    }

    pub fn delete(&mut self, pattern: &'static str, to: impl FnOnce(Route) -> Route) -> &mut Self {
        self.add(Method::DELETE, pattern, to)
    }

    pub fn head(&mut self, pattern: &'static str, to: impl FnOnce(Route) -> Route) -> &mut Self {
        self.add(Method::HEAD, pattern, to)
    }

    /// What answers a path no route matches (not a route: it is never listed).
    pub fn fallback(&mut self, route: Route) -> &mut Self {
        self.cfg.default_service(route);
        self
    }

    pub fn into_listed(self) -> Vec<ListedRoute> {
        self.listed
    }
}
