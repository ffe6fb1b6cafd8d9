import { useId } from 'react';
import type { DeviceOption } from './devices';

export interface DeviceSelectProps {
  label: string;
  options: DeviceOption[];
  value: string | undefined;
  onChange: (deviceId: string) => void;
  disabled?: boolean;
}

/** A labelled drop-down of devices of one kind. */
export function DeviceSelect({ label, options, value, onChange, disabled }: DeviceSelectProps) {
  const id = useId();
  const known = options.some((o) => o.deviceId === value);
  return (
    <div className="device-select">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={known ? value : ''}
        disabled={disabled || options.length === 0}
        onChange={(e) => onChange(e.target.value)}
      >
        {!known && <option value="">{options.length === 0 ? 'None found' : 'Choose…'}</option>}
        {options.map((o) => (
          <option key={o.deviceId} value={o.deviceId}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
