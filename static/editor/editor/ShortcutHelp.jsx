import { Dialog } from '../ui.jsx';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || '');
const MOD = isMac ? '⌘' : 'Ctrl';

const ROWS = [
  ['Add a node', 'Drag from the palette, or focus it and press Enter'],
  ['Connect', 'Drag from a node’s right handle to another node'],
  ['Select several', `Shift + drag a box, or ${MOD} + click`],
  ['Select all', `${MOD} + A`],
  ['Copy / Cut / Paste', `${MOD} + C / X / V`],
  ['Duplicate', `${MOD} + D`],
  ['Delete', 'Delete or Backspace'],
  ['Undo / Redo', `${MOD} + Z / ${MOD} + Shift + Z`],
  ['Save now', `${MOD} + S`],
  ['Auto-layout', 'Shift + L'],
  ['Fit view', 'Shift + F'],
  ['Zoom / Pan', 'Scroll / drag the background'],
  ['Clear selection', 'Esc'],
  ['This help', '?'],
];

export function ShortcutHelp({ onClose }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} testid="shortcuts">
      <table className="shortcuts">
        <tbody>
          {ROWS.map(([what, keys]) => (
            <tr key={what}>
              <th scope="row">{what}</th>
              <td>
                {keys.split(/( \/ | \+ |, or | or )/).map((part, i) =>
                  /^( \/ | \+ |, or | or )$/.test(part) ? (
                    <span key={i} className="kbd-sep">
                      {part}
                    </span>
                  ) : /^(Ctrl|⌘|Shift|Delete|Backspace|Esc|Enter|[A-Z?])$/.test(part) ? (
                    <kbd key={i}>{part}</kbd>
                  ) : (
                    <span key={i}>{part}</span>
                  ),
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
