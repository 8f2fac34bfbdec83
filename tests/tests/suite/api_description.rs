//! `GET /api/openapi.json` describes every route the server registers (and none it does not),
//! with each path's parameters and every `$ref` resolvable; an independent validator
//! (openapi-spec-validator, Python) accepts it as OpenAPI 3.1; `/api/docs/` serves the page
//! that reads it.

use std::collections::BTreeSet;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;
use tests::browser::{HeadlessBrowser, screenshot, wait_for_text};
use tests::spawn_app;

/// `/sidebar/{path:.*}` → `/sidebar/{path}`: the regex is actix's, not the path's.
fn without_regex(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment.strip_prefix('{') {
            Some(inner) => format!(
                "{{{}}}",
                inner.trim_end_matches('}').split(':').next().unwrap()
            ),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn registered() -> BTreeSet<(String, String)> {
    server::app::listed_routes()
        .into_iter()
        .map(|route| {
            (
                route.method.as_str().to_lowercase(),
                without_regex(route.pattern),
            )
        })
        .collect()
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn described(document: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                found.insert((method.to_owned(), path.clone()));
            }
        }
    }
    found
}

async fn served_document() -> Value {
    let app = spawn_app().await;
    let answer = app
        .http
        .get(format!("{}/api/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    answer.json().await.unwrap()
}

#[test]
fn actix_patterns_lose_their_regex_only() {
    assert_eq!(without_regex("/sidebar/{path:.*}"), "/sidebar/{path}");
    assert_eq!(without_regex("/s/{token}"), "/s/{token}");
    assert_eq!(
        without_regex("/a/{x:[0-9]+}/b/{y}"),
        "/a/{x}/b/{y}".to_owned()
    );
}

#[tokio::test]
async fn every_registered_route_is_described_and_nothing_else() {
    let document = served_document().await;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        document["openapi"]
    );
    let registered = registered();
    let described = described(&document);
    // The routes this test must at least see, so an empty list cannot pass.
    for must in [
        ("post", "/wecom/callback"),
        ("post", "/api/v1/ingest/{kind}"),
        ("get", "/api/v1/orders/{id}/credit"),
        ("head", "/s/{token}"),
        ("get", "/api/openapi.json"),
    ] {
        assert!(
            registered.contains(&(must.0.to_owned(), must.1.to_owned())),
            "{must:?}"
        );
    }
    let undescribed: Vec<_> = registered.difference(&described).collect();
    assert!(
        undescribed.is_empty(),
        "routes the API description does not describe: {undescribed:?}"
    );
    let phantom: Vec<_> = described.difference(&registered).collect();
    assert!(
        phantom.is_empty(),
        "described, but no such route: {phantom:?}"
    );
}

/// Every `{name}` of a path is declared as a path parameter of each of its operations, every
/// operation answers something, and every error it names is the `{code, message}` body.
#[tokio::test]
async fn each_operation_declares_its_path_parameters_and_error_bodies() {
    let document = served_document().await;
    for (path, item) in document["paths"].as_object().unwrap() {
        let names: Vec<&str> = path
            .split('/')
            .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let declared: Vec<&str> = operation["parameters"]
                .as_array()
                .map(|all| {
                    all.iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(declared, names, "{method} {path}");
            let responses = operation["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}");
            for (status, response) in responses {
                let json = &response["content"]["application/json"]["schema"]["$ref"];
                // `/readyz` answers 503 with its checks, which name what is down.
                let error = status.starts_with('4') || status.starts_with('5');
                if let Some(reference) = json.as_str()
                    && error
                    && path != "/readyz"
                {
                    assert_eq!(
                        reference, "#/components/schemas/ApiError",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

fn references<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[tokio::test]
async fn every_reference_resolves_and_the_ingest_kinds_have_their_fields() {
    let document = served_document().await;
    let mut found = Vec::new();
    references(&document, &mut found);
    assert!(found.len() > 50, "{}", found.len());
    for target in found {
        let pointer = target.strip_prefix('#').unwrap();
        assert!(document.pointer(pointer).is_some(), "unresolved {target}");
    }
    let schemas = &document["components"]["schemas"];
    // One schema per ingest kind, each with its own fields.
    let kinds = schemas["IngestRecord"]["oneOf"].as_array().unwrap();
    assert_eq!(kinds.len(), server::commerce::batch::Kind::ALL.len());
    let kind_parameter =
        document["paths"]["/api/v1/ingest/{kind}"]["post"]["parameters"][0]["description"]
            .as_str()
            .unwrap();
    for kind in server::commerce::batch::Kind::ALL {
        assert!(
            kind_parameter.contains(&format!("`{}`", kind.name())),
            "{}",
            kind.name()
        );
    }
    let order = schemas["OrderRecord"]["properties"].as_object().unwrap();
    for field in ["id", "member_id", "paid_fen", "status", "stamp", "items"] {
        assert!(order.contains_key(field), "OrderRecord.{field}");
    }
    assert!(
        schemas["BehaviourRecord"]["properties"]
            .as_object()
            .unwrap()
            .contains_key("stamp")
    );
    // The error body, and the session cookie the sidebar's paths name.
    assert!(schemas["ApiError"]["properties"]["code"].is_object());
    let session = &document["components"]["securitySchemes"]["session"];
    assert_eq!(session["in"], "cookie");
    assert_eq!(session["name"], "guidedesk_session");
}

/// openapi-spec-validator, installed by `.ci/test` beside wechatpy (target/peers-venv).
#[tokio::test]
async fn an_independent_validator_accepts_it_as_openapi_3_1() {
    let document = served_document().await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), serde_json::to_vec(&document).unwrap()).unwrap();
    let python = std::env::var("WECHATPY_PYTHON").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/peers-venv/bin/python"
        )
        .to_owned()
    });
    let checked = Command::new(&python)
        .args(["-m", "openapi_spec_validator"])
        .arg(file.path())
        .output()
        .unwrap_or_else(|err| {
            panic!("{python}: {err}; run the README's test command (bash .ci/test)")
        });
    let said = String::from_utf8_lossy(&checked.stdout).into_owned()
        + &String::from_utf8_lossy(&checked.stderr);
    assert!(checked.status.success(), "{said}");
    assert!(said.contains("OK"), "{said}");
}

#[tokio::test]
async fn the_docs_page_reads_the_document() {
    let app = spawn_app().await;
    let get = |path: &str| app.http.get(format!("{}{path}", app.address)).send();
    let page = get("/api/docs/").await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("swagger-ui"));
    let setup = get("/api/docs/swagger-initializer.js").await.unwrap();
    assert_eq!(setup.status(), StatusCode::OK);
    assert!(setup.text().await.unwrap().contains("/api/openapi.json"));
    let missing = get("/api/docs/no-such-file.js").await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

/// Swagger UI in headless Chromium renders the document: its title and an operation of each
/// part (the page's own files, no network beyond the server).
#[tokio::test]
async fn the_docs_page_renders_the_operations_in_a_browser() {
    let app = spawn_app().await;
    let browser = HeadlessBrowser::launch().await;
    let page = browser.open(&app.url("/api/docs/")).await;
    let title = wait_for_text(&page, ".information-container .title").await;
    assert!(title.contains("GuideDesk"), "{title}");
    for path in [
        "/api/v1/orders/{id}/credit",
        "/api/v1/ingest/{kind}",
        "/wecom/callback",
    ] {
        let shown =
            wait_for_text(&page, &format!(".opblock-summary-path[data-path='{path}']")).await;
        assert!(shown.contains(path), "{shown}");
    }
    screenshot(&page, "api-docs").await;
    browser.close().await;
}
