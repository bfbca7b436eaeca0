//! Reading rule identifier, namespace, tags and metadata out of compiled `YR_RULE`s.

use std::ffi::{c_char, CStr};

use crate::ffi::{
    YrRule, META_FLAGS_LAST_IN_RULE, META_TYPE_BOOLEAN, META_TYPE_INTEGER, META_TYPE_STRING,
    RULE_FLAGS_NULL, RULE_FLAGS_PRIVATE,
};
use crate::matches::YaraMatch;

/// Owned copy of one rule's descriptive fields, captured once at compile time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleInfo {
    /// Rule identifier.
    pub(crate) name: String,
    /// Namespace name.
    pub(crate) namespace: String,
    /// Tags in declaration order.
    pub(crate) tags: Vec<String>,
    /// Metadata in declaration order (values rendered as text).
    pub(crate) meta: Vec<(String, String)>,
    /// `private` rules never produce a match callback.
    pub(crate) private: bool,
}

impl RuleInfo {
    /// Builds the match record for this rule.
    pub(crate) fn to_match(&self, rule_index: usize) -> YaraMatch {
        YaraMatch {
            rule: self.name.clone(),
            namespace: self.namespace.clone(),
            tags: self.tags.clone(),
            meta: self.meta.clone(),
            rule_index,
        }
    }
}

/// Copies a NUL-terminated C string (NULL gives an empty string; invalid UTF-8 is replaced).
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string.
unsafe fn c_text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    CStr::from_ptr(p).to_string_lossy().into_owned()
}

/// Reads one rule.
///
/// # Safety
/// `rule` must be an entry of a live `YR_RULES` rules table (not the sentinel).
pub(crate) unsafe fn read_rule(rule: &YrRule) -> RuleInfo {
    let name = c_text(rule.identifier.get());
    let ns = rule.ns.get();
    let namespace = if ns.is_null() {
        String::new()
    } else {
        c_text((*ns).name.get())
    };

    // Tags: "a\0b\0\0" (a NUL-separated list ending with an empty string).
    let mut tags = Vec::new();
    let mut tag = rule.tags.get();
    while !tag.is_null() && *tag != 0 {
        let s = CStr::from_ptr(tag);
        let len = s.to_bytes().len();
        tags.push(s.to_string_lossy().into_owned());
        tag = tag.add(len + 1);
    }

    // Metas: a contiguous array whose last entry carries META_FLAGS_LAST_IN_RULE.
    let mut meta = Vec::new();
    let mut m = rule.metas.get();
    while !m.is_null() {
        let entry = &*m;
        let key = c_text(entry.identifier.get());
        let value = match entry.type_ {
            META_TYPE_STRING => c_text(entry.string.get()),
            META_TYPE_INTEGER => entry.integer.to_string(),
            META_TYPE_BOOLEAN => (entry.integer != 0).to_string(),
            _ => String::new(),
        };
        meta.push((key, value));
        if entry.flags & META_FLAGS_LAST_IN_RULE != 0 {
            break;
        }
        m = m.add(1);
    }

    RuleInfo {
        name,
        namespace,
        tags,
        meta,
        private: rule.flags & RULE_FLAGS_PRIVATE != 0,
    }
}

/// Reads every rule of a rules table, in declaration order (the table ends with a
/// `RULE_FLAGS_NULL` sentinel entry).
///
/// # Safety
/// `table` must be NULL or the `rules_table` of a live `YR_RULES`.
pub(crate) unsafe fn read_table(table: *const YrRule) -> Vec<RuleInfo> {
    let mut out = Vec::new();
    if table.is_null() {
        return out;
    }
    let mut p = table;
    while (*p).flags & RULE_FLAGS_NULL == 0 {
        out.push(read_rule(&*p));
        p = p.add(1);
    }
    out
}
