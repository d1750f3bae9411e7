//! `#[each_engine]`: one test written once, run once per storage engine, each run named and
//! reported on its own.
//!
//! ```text
//! #[preventkit_testkit::each_engine]
//! async fn answer_history(engine: Engine) { /* ... */ }
//! ```
//!
//! expands to a module `answer_history` holding the body and two tests, `sqlite` and
//! `postgresql`, so a failure names its engine (`answer_history::postgresql`). When
//! `PREVENTKIT_TEST_DATABASE_URL` was not set at build time the PostgreSQL test is marked
//! `#[ignore]` with the reason, so it shows as skipped, never as passed. When it was set, the
//! test runs and fails if the server cannot be reached.

#![forbid(unsafe_code)]
// Test support, never in the binary: a failed unwrap, expect, panic or index fails the test
// or the run that uses it, as it should.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, FnArg, ItemFn};

const POSTGRESQL_LEG: &str = env!("PREVENTKIT_TESTKIT_POSTGRESQL_LEG");

/// Run the test once on each engine, as the tests `NAME::sqlite` and `NAME::postgresql`.
#[proc_macro_attribute]
pub fn each_engine(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(args, item, &[Leg::Sqlite, Leg::Postgresql])
}

/// Run the test on PostgreSQL only (for what only a shared server can show), as the test
/// `NAME::postgresql`; skipped, never passed, when the PostgreSQL leg is off.
#[proc_macro_attribute]
pub fn postgresql_only(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(args, item, &[Leg::Postgresql])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Leg {
    Sqlite,
    Postgresql,
}

fn attribute(args: TokenStream, item: TokenStream, legs: &[Leg]) -> TokenStream {
    if !args.is_empty() {
        let args = proc_macro2::TokenStream::from(args);
        return syn::Error::new_spanned(args, "this attribute takes no arguments")
            .to_compile_error()
            .into();
    }
    let f = parse_macro_input!(item as ItemFn);
    match expand(f, legs) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(f: ItemFn, legs: &[Leg]) -> syn::Result<proc_macro2::TokenStream> {
    let sig = &f.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            sig.fn_token,
            "an engine test is an async fn",
        ));
    }
    if sig.inputs.len() != 1 || !matches!(sig.inputs.first(), Some(FnArg::Typed(_))) {
        return Err(syn::Error::new_spanned(
            &sig.inputs,
            "an engine test takes exactly one argument: the engine (engine: Engine)",
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "an engine test cannot be generic",
        ));
    }
    let mut docs = Vec::new();
    let mut attrs = Vec::new();
    for a in &f.attrs {
        if a.path().is_ident("doc") {
            docs.push(a);
        } else if a.path().segments.last().is_some_and(|s| s.ident == "test") {
            return Err(syn::Error::new_spanned(
                a,
                "the engine attribute makes the tests itself: remove this attribute",
            ));
        } else {
            attrs.push(a);
        }
    }
    let name = &sig.ident;
    let vis = &f.vis;
    let inputs = &sig.inputs;
    let output = &sig.output;
    let body = &f.block;
    let ignore = if POSTGRESQL_LEG == "on" {
        quote! {}
    } else {
        quote! { #[ignore = "PostgreSQL leg: set PREVENTKIT_TEST_DATABASE_URL to run it"] }
    };
    let sqlite = legs.contains(&Leg::Sqlite).then(|| {
        quote! {
            #[test]
            fn sqlite() #output {
                ::preventkit_testkit::block_on(__engine_test_body(
                    ::preventkit_testkit::Engine::Sqlite,
                ))
            }
        }
    });
    let postgresql = legs.contains(&Leg::Postgresql).then(|| {
        quote! {
            #[test]
            #ignore
            fn postgresql() #output {
                ::preventkit_testkit::block_on(__engine_test_body(
                    ::preventkit_testkit::Engine::postgres(),
                ))
            }
        }
    });
    Ok(quote! {
        #(#docs)*
        #vis mod #name {
            #[allow(unused_imports)]
            use super::*;

            #(#attrs)*
            async fn __engine_test_body(#inputs) #output #body

            #sqlite
            #postgresql
        }
    })
}
