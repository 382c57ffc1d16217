// Property forms generated from the registry's JSON Schemas.
import { createContext, useContext, useEffect, useId, useRef, useState } from 'react';
import { api } from '../api.js';
import { Icon } from '../icons.jsx';
import { stable } from './graph.js';

export function humanize(name) {
  const s = String(name).replace(/_s$/, ' (s)').replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function schemaType(schema) {
  if (!schema) return 'string';
  let t = schema.type;
  if (Array.isArray(t)) t = t.find((x) => x !== 'null') || t[0];
  if (!t) {
    if (schema.enum) return typeof schema.enum[0] === 'number' ? 'number' : 'string';
    if (schema.properties || schema.additionalProperties) return 'object';
    if (schema.items) return 'array';
    if (schema.oneOf || schema.anyOf) return schemaType((schema.oneOf || schema.anyOf).find((s) => s.type !== 'null'));
    return 'string';
  }
  return t;
}

export function defaultsFor(schema) {
  const out = {};
  for (const [k, s] of Object.entries(schema?.properties || {})) {
    if (s && s.default !== undefined) out[k] = JSON.parse(JSON.stringify(s.default));
  }
  return out;
}

// Validation problems of the selected node/edge by form path ("url",
// "assignments.0.expression", "output.total").
export const FieldProblemsContext = createContext({});

export function problemPath(field) {
  return String(field || '')
    .replace(/^config\./, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^\./, '');
}

function FieldProblems({ path }) {
  const all = useContext(FieldProblemsContext);
  const list = all[path];
  if (!list || !list.length) return null;
  return (
    <p className="field-error" data-testid="field-error" role="alert">
      {list.join('; ')}
    </p>
  );
}

// Names an expression can use here: [{name, kind, detail}]
export const ExpressionNamesContext = createContext([]);

// ---------------------------------------------------------------------------
// Expression input with as-you-type checking and name completion
// ---------------------------------------------------------------------------

const ARITH = '\\s*[-+*/%]\\s*';
const INT = '(?<![\\w.])(\\d+)(?![\\d.eExu])';
const DOUBLE = '(?<![\\w.])(\\d+\\.\\d*|\\d*\\.\\d+)(?![\\d])';
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// CEL never converts between int and double: `amount * 2` fails at run time when `amount`
// is a `number` parameter (a double). The checker cannot know the types; the editor knows
// the parameters', so it warns about arithmetic that mixes one with the other kind of literal.
export function mixedNumbers(source, names) {
  const code = String(source).replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  for (const n of names) {
    if (n.kind !== 'parameter' || (n.type !== 'number' && n.type !== 'integer')) continue;
    const name = `(?<![\\w.])${escapeRe(n.name)}(?![\\w(])`;
    const literal = n.type === 'number' ? INT : DOUBLE;
    const m = new RegExp(`${name}${ARITH}${literal}`).exec(code) || new RegExp(`${literal}${ARITH}${name}`).exec(code);
    if (!m) continue;
    const lit = m[1];
    return n.type === 'number'
      ? `${n.name} is a number (a double in CEL) and ${lit} an integer: CEL does not mix them. Write ${lit}.0.`
      : `${n.name} is an integer and ${lit} a double: CEL does not mix them. Write double(${n.name}).`;
  }
  return null;
}

export function ExpressionInput({ id, value, onChange, testid, multiline, placeholder, required, describedBy, onBlur }) {
  const [check, setCheck] = useState(null); // {valid, error}
  const [checking, setChecking] = useState(false);
  const ctrl = useRef(null);
  const v = value ?? '';

  useEffect(() => {
    if (ctrl.current) ctrl.current.abort();
    if (!String(v).trim()) {
      setCheck(null);
      setChecking(false);
      return undefined;
    }
    const ac = new AbortController();
    ctrl.current = ac;
    // keep the last verdict on show until the new one is in: no flicker while typing
    const t = setTimeout(() => {
      setChecking(true);
      api
        .checkExpression(String(v), { signal: ac.signal })
        .then((res) => {
          if (!ac.signal.aborted) setCheck(res);
        })
        .catch((err) => {
          if (err && err.name === 'AbortError') return;
          if (!ac.signal.aborted) setCheck(null);
        })
        .finally(() => {
          if (!ac.signal.aborted) setChecking(false);
        });
    }, 250);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [v]);

  const invalid = check && check.valid === false;
  const err = invalid ? check.error || {} : null;
  const errId = `${id}-err`;
  const names = useContext(ExpressionNamesContext);
  const warning = !invalid && String(v).trim() ? mixedNumbers(v, names) : null;
  const warnId = `${id}-warn`;
  const inputRef = useRef(null);
  const lastKey = useRef(0);
  const [sugg, setSugg] = useState(null); // {items, active, start, end}
  const updateSugg = (el) => {
    if (!el || !names.length) return setSugg(null);
    const caret = el.selectionStart ?? el.value.length;
    const before = el.value.slice(0, caret);
    const m = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before);
    if (!m || (before.length > m[0].length && before[before.length - m[0].length - 1] === '.')) return setSugg(null);
    const prefix = m[0].toLowerCase();
    const items = names.filter((n) => n.name.toLowerCase().startsWith(prefix) && n.name !== m[0]).slice(0, 8);
    setSugg(items.length ? { items, active: 0, start: caret - m[0].length, end: caret } : null);
  };
  const accept = (item) => {
    const el = inputRef.current;
    if (!el || !sugg) return;
    const next = el.value.slice(0, sugg.start) + item.name + el.value.slice(sugg.end);
    onChange(next);
    setSugg(null);
    const pos = sugg.start + item.name.length;
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  };
  const listId = `${id}-names`;
  const common = {
    id,
    ref: inputRef,
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': sugg ? 'true' : 'false',
    'aria-controls': sugg ? listId : undefined,
    'aria-activedescendant': sugg ? `${listId}-${sugg.active}` : undefined,
    onKeyDown: (e) => {
      if (e.key.length === 1 || e.key === 'Backspace') lastKey.current = Date.now();
      if (!sugg) return;
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setSugg({ ...sugg, active: (sugg.active + 1) % sugg.items.length });
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        setSugg({ ...sugg, active: (sugg.active - 1 + sugg.items.length) % sugg.items.length });
      } else if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        accept(sugg.items[sugg.active]);
      } else if (e.key === 'Escape') {
        e.stopPropagation();
        setSugg(null);
      }
    },
    onKeyUp: (e) => {
      if (['ArrowDown', 'ArrowUp', 'Enter', 'Tab', 'Escape'].includes(e.key)) return;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') updateSugg(e.target);
    },
    className: `input mono${invalid ? ' is-invalid' : ''}`,
    value: v,
    spellCheck: false,
    autoComplete: 'off',
    placeholder: placeholder || 'expression',
    'data-testid': testid,
    'aria-invalid': invalid ? 'true' : undefined,
    'aria-describedby': [invalid ? errId : null, warning ? warnId : null, describedBy].filter(Boolean).join(' ') || undefined,
    required,
    onChange: (e) => {
      onChange(e.target.value);
      // complete only what a person types (not pasted or filled text)
      if (Date.now() - lastKey.current < 500) updateSugg(e.target);
      else setSugg(null);
    },
    onBlur: (e) => {
      setTimeout(() => setSugg(null), 120);
      if (onBlur) onBlur(e);
    },
  };
  return (
    <div className="expr">
      {multiline ? <textarea rows={3} {...common} /> : <input type="text" {...common} />}
      <span className={`expr-state ${checking ? 'is-checking' : invalid ? 'is-bad' : check ? 'is-ok' : ''}`} aria-hidden="true">
        {checking ? '…' : invalid ? '✕' : check ? '✓' : 'ƒ'}
      </span>
      {sugg && (
        <ul className="expr-sugg" id={listId} role="listbox" data-testid="expr-suggestions">
          {sugg.items.map((it, i) => (
            <li
              key={it.name}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === sugg.active}
              className={i === sugg.active ? 'is-active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(it);
              }}
            >
              <span className="mono">{it.name}</span>
              <span className="expr-sugg-kind">{it.detail || it.kind}</span>
            </li>
          ))}
        </ul>
      )}
      {warning && (
        <div className="expr-warning" id={warnId} data-testid="expr-warning" role="status">
          {warning}
        </div>
      )}
      {invalid && (
        <div className="expr-error" id={errId} data-testid="expr-error" role="alert">
          <Caret text={String(v)} position={err.position} />
          <span>
            {err.position !== undefined && err.position !== null ? <b>col {Number(err.position) + 1}: </b> : null}
            {err.message || 'Invalid expression'}
          </span>
        </div>
      )}
    </div>
  );
}

function Caret({ text, position }) {
  if (position === undefined || position === null || position < 0 || text.length > 80) return null;
  const p = Math.min(Number(position), text.length);
  return (
    <pre className="expr-caret" aria-hidden="true">
      {text}
      {'\n'}
      {' '.repeat(p)}^
    </pre>
  );
}

// ---------------------------------------------------------------------------
// Generic field
// ---------------------------------------------------------------------------

export function Field({ name, schema, path, value, onChange, isExpr, required, labelText }) {
  const uid = useId();
  const id = `f${uid}-${path}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const type = schemaType(schema);
  const label = labelText || schema?.title || humanize(name);
  const help = schema?.description;
  const helpId = help ? `${id}-help` : undefined;
  const testid = `prop-${path}`;

  if (type === 'array') {
    return <ArrayField label={label} help={help} schema={schema} path={path} value={value} onChange={onChange} isExpr={isExpr} />;
  }
  if (type === 'object') {
    if (schema?.properties && !schema.additionalProperties) {
      return (
        <fieldset className="field-group">
          <legend>{label}</legend>
          {help && <p className="help">{help}</p>}
          {Object.entries(schema.properties).map(([k, s]) => (
            <Field
              key={k}
              name={k}
              schema={s}
              path={`${path}.${k}`}
              value={value?.[k]}
              required={(schema.required || []).includes(k)}
              isExpr={isExpr}
              onChange={(v) => {
                const next = { ...(value || {}) };
                if (v === undefined) delete next[k];
                else next[k] = v;
                onChange(next);
              }}
            />
          ))}
        </fieldset>
      );
    }
    return <MapField label={label} help={help} schema={schema} path={path} value={value} onChange={onChange} isExpr={isExpr} />;
  }

  let control;
  if (schema?.enum) {
    control = (
      <select
        id={id}
        className="input"
        data-testid={testid}
        value={value ?? ''}
        aria-describedby={helpId}
        onChange={(e) => {
          const raw = e.target.value;
          if (raw === '') return onChange(undefined);
          const hit = schema.enum.find((x) => String(x) === raw);
          onChange(hit === undefined ? raw : hit);
        }}
      >
        {(!required || value === undefined) && <option value="">{schema.default !== undefined ? `(default: ${schema.default})` : '—'}</option>}
        {schema.enum.map((opt) => (
          <option key={String(opt)} value={String(opt)}>
            {String(opt)}
          </option>
        ))}
      </select>
    );
  } else if (type === 'boolean') {
    return (
      <div className="field field-inline">
        <label className="switch" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            data-testid={testid}
            checked={!!(value ?? false)}
            aria-describedby={helpId}
            onChange={(e) => onChange(e.target.checked)}
          />
          <span className="switch-track" aria-hidden="true" />
          <span className="field-label">{label}</span>
        </label>
        <FieldProblems path={path} />
        {help && (
          <p className="help" id={helpId}>
            {help}
          </p>
        )}
      </div>
    );
  } else if (type === 'number' || type === 'integer') {
    control = (
      <input
        id={id}
        type="number"
        className="input"
        data-testid={testid}
        value={value ?? ''}
        min={schema?.minimum}
        max={schema?.maximum}
        step={type === 'integer' ? 1 : 'any'}
        placeholder={schema?.default !== undefined ? String(schema.default) : ''}
        aria-describedby={helpId}
        onChange={(e) => {
          const raw = e.target.value;
          if (raw === '') return onChange(undefined);
          const n = Number(raw);
          onChange(Number.isNaN(n) ? raw : n);
        }}
      />
    );
  } else if (isExpr(path)) {
    control = (
      <ExpressionInput
        id={id}
        value={value}
        testid={testid}
        multiline={/(^|\.)(body)$/.test(path)}
        describedBy={helpId}
        required={required}
        onChange={(v) => onChange(v === '' ? undefined : v)}
      />
    );
  } else {
    const long = schema?.format === 'textarea' || (schema?.maxLength || 0) > 200;
    const Tag = long ? 'textarea' : 'input';
    control = (
      <Tag
        id={id}
        type={long ? undefined : 'text'}
        className="input"
        data-testid={testid}
        value={value ?? ''}
        placeholder={schema?.default !== undefined ? String(schema.default) : ''}
        aria-describedby={helpId}
        required={required}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
    );
  }
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
        {required && <span className="req" aria-label="required">*</span>}
        {isExpr(path) && type === 'string' && !schema?.enum && <span className="tag tag-expr">CEL</span>}
      </label>
      {control}
      <FieldProblems path={path} />
      {help && (
        <p className="help" id={helpId}>
          {help}
        </p>
      )}
    </div>
  );
}

function ArrayField({ label, help, schema, path, value, onChange, isExpr }) {
  const items = Array.isArray(value) ? value : [];
  const itemSchema = schema?.items || { type: 'string' };
  const objectItems = schemaType(itemSchema) === 'object' && itemSchema.properties;
  const add = () => {
    const blank = objectItems ? defaultsFor(itemSchema) : itemSchema.default ?? '';
    onChange([...items, blank]);
  };
  return (
    <fieldset className="field-group">
      <legend>{label}</legend>
      {help && <p className="help">{help}</p>}
      {items.length === 0 && <div className="empty-note">None yet.</div>}
      {items.map((item, i) => (
        <div className={`array-row${objectItems ? ' array-row-obj' : ''}`} key={i}>
          <div className="array-row-fields">
            {objectItems ? (
              Object.entries(itemSchema.properties).map(([k, s]) => (
                <Field
                  key={k}
                  name={k}
                  schema={s}
                  path={`${path}.${i}.${k}`}
                  value={item?.[k]}
                  isExpr={isExpr}
                  required={(itemSchema.required || []).includes(k)}
                  onChange={(v) => {
                    const next = items.slice();
                    const row = { ...(item || {}) };
                    if (v === undefined) delete row[k];
                    else row[k] = v;
                    next[i] = row;
                    onChange(next);
                  }}
                />
              ))
            ) : (
              <Field
                name={`${label} ${i + 1}`}
                schema={itemSchema}
                path={`${path}.${i}`}
                value={item}
                isExpr={isExpr}
                onChange={(v) => {
                  const next = items.slice();
                  next[i] = v;
                  onChange(next);
                }}
              />
            )}
          </div>
          <div className="array-row-actions">
            <button
              type="button"
              className="icon-btn"
              title="Move up"
              aria-label={`Move ${label} row ${i + 1} up`}
              disabled={i === 0}
              onClick={() => {
                const next = items.slice();
                [next[i - 1], next[i]] = [next[i], next[i - 1]];
                onChange(next);
              }}
            >
              ↑
            </button>
            <button
              type="button"
              className="icon-btn danger"
              title="Remove"
              aria-label={`Remove ${label} row ${i + 1}`}
              data-testid={`prop-${path}.${i}-remove`}
              onClick={() => onChange(items.filter((_, j) => j !== i))}
            >
              <Icon name="x" size={14} />
            </button>
          </div>
        </div>
      ))}
      <button type="button" className="btn btn-ghost btn-sm" data-testid={`prop-${path}-add`} onClick={add}>
        <Icon name="plus" size={14} /> Add {singular(label)}
      </button>
    </fieldset>
  );
}

function singular(label) {
  const l = String(label).toLowerCase();
  return l.endsWith('ies') ? `${l.slice(0, -3)}y` : l.endsWith('s') ? l.slice(0, -1) : l;
}

// Object map name → value edited as key/value rows. Rows are kept locally so
// that a row with an empty or duplicate key survives while it is typed.
function MapField({ label, help, schema, path, value, onChange, isExpr }) {
  const uid = useId();
  const toRows = (obj) => Object.entries(obj || {}).map(([k, v]) => ({ k, v }));
  const [rows, setRows] = useState(() => toRows(value));
  const lastEmitted = useRef(stable(value || {}));
  useEffect(() => {
    const s = stable(value || {});
    if (s !== lastEmitted.current) {
      lastEmitted.current = s;
      setRows(toRows(value));
    }
  }, [value]);
  const valueSchema = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : { type: 'string' };
  const valueType = schemaType(valueSchema);
  const emit = (next) => {
    setRows(next);
    const obj = {};
    for (const r of next) if (r.k !== '') obj[r.k] = r.v;
    lastEmitted.current = stable(obj);
    onChange(Object.keys(obj).length || next.length ? obj : undefined);
  };
  return (
    <fieldset className="field-group">
      <legend>{label}</legend>
      {help && <p className="help">{help}</p>}
      {rows.length === 0 && <div className="empty-note">None yet.</div>}
      {rows.map((r, i) => {
        const keyId = `k${uid}-${path}-${i}`.replace(/[^A-Za-z0-9_-]/g, '_');
        const valId = `v${uid}-${path}-${i}`.replace(/[^A-Za-z0-9_-]/g, '_');
        const dup = r.k !== '' && rows.findIndex((x) => x.k === r.k) !== i;
        const vPath = `${path}.${r.k || '*'}`;
        const expr = isExpr(vPath) || isExpr(`${path}.*`);
        const valueTestid = r.k ? `prop-${path}.${r.k}` : `prop-${path}-value-${i}`;
        return (
          <div className="map-row" key={i}>
            <label className="sr-only" htmlFor={keyId}>
              {label} name {i + 1}
            </label>
            <input
              id={keyId}
              className={`input map-key${dup ? ' is-invalid' : ''}`}
              placeholder="name"
              value={r.k}
              data-testid={`prop-${path}-key-${i}`}
              title={dup ? 'Duplicate name' : undefined}
              onChange={(e) => emit(rows.map((x, j) => (j === i ? { ...x, k: e.target.value } : x)))}
            />
            <span className="map-arrow" aria-hidden="true">
              {expr ? '←' : '='}
            </span>
            <label className="sr-only" htmlFor={valId}>
              {label} {r.k || `value ${i + 1}`}
            </label>
            <div className="map-val">
              {expr && valueType === 'string' ? (
                <ExpressionInput
                  id={valId}
                  value={r.v}
                  testid={valueTestid}
                  onChange={(v) => emit(rows.map((x, j) => (j === i ? { ...x, v } : x)))}
                />
              ) : valueType === 'number' || valueType === 'integer' ? (
                <input
                  id={valId}
                  type="number"
                  className="input"
                  value={r.v ?? ''}
                  data-testid={valueTestid}
                  onChange={(e) => emit(rows.map((x, j) => (j === i ? { ...x, v: e.target.value === '' ? undefined : Number(e.target.value) } : x)))}
                />
              ) : (
                <input
                  id={valId}
                  type="text"
                  className="input"
                  value={typeof r.v === 'string' ? r.v : r.v === undefined ? '' : JSON.stringify(r.v)}
                  data-testid={valueTestid}
                  onChange={(e) => emit(rows.map((x, j) => (j === i ? { ...x, v: e.target.value } : x)))}
                />
              )}
            </div>
            {r.k && (
              <div className="map-problems">
                <FieldProblems path={`${path}.${r.k}`} />
              </div>
            )}
            <button
              type="button"
              className="icon-btn danger"
              aria-label={`Remove ${label} ${r.k || i + 1}`}
              data-testid={`prop-${path}-remove-${i}`}
              onClick={() => emit(rows.filter((_, j) => j !== i))}
            >
              <Icon name="x" size={14} />
            </button>
          </div>
        );
      })}
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        data-testid={`prop-${path}-add`}
        onClick={() => {
          setRows([...rows, { k: '', v: '' }]);
        }}
      >
        <Icon name="plus" size={14} /> Add {singular(label).replace(/^output$/, 'output value')}
      </button>
    </fieldset>
  );
}
