"""Hypothesis strategies shared by the property tests: template-shaped values and structural mutation."""

from __future__ import annotations

from hypothesis import strategies as st

FUNCTIONS = [
    "Ref",
    "Condition",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::If",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::ImportValue",
    "Fn::Base64",
    "Fn::GetAZs",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::Cidr",
    "Type",
    "Properties",
    "Condition",
    "DefaultValue",
    "Default",
]


def template_values(names: list[str]) -> st.SearchStrategy:
    """Scalars, lists and intrinsic-shaped mappings whose strings are names a template uses."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(), st.text(max_size=12), st.sampled_from(names)
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.sampled_from(FUNCTIONS + names), children, max_size=3),
        ),
        max_leaves=10,
    )


def paths_in(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every path into a JSON-like value, the root included."""
    found, stack = [], [(prefix, node)]
    while stack:
        path, item = stack.pop()
        found.append(path)
        if isinstance(item, dict):
            stack.extend(((*path, key), value) for key, value in item.items())
        elif isinstance(item, list):
            stack.extend(((*path, index), value) for index, value in enumerate(item))
    return found


def replace_at(data: object, path: tuple, new: object, rename: bool) -> object:
    """Put `new` at `path` (or, with rename, use it as the key's new name)."""
    if not path:
        return new
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if rename and isinstance(parent, dict):
        parent[new if isinstance(new, str) else str(new)] = parent.pop(path[-1])
    else:
        parent[path[-1]] = new
    return data
