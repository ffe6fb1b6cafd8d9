import { useId } from 'react';

/** The labelled Username input with its validation message, shared by the home and pre-join forms. */
export function NameField(props: {
  value: string;
  onChange: (value: string) => void;
  /** The validation message to show, or null. */
  error: string | null;
  autoFocus?: boolean;
}) {
  const { value, onChange, error, autoFocus } = props;
  const id = useId();
  const errorId = useId();
  return (
    <>
      <label htmlFor={id}>Username</label>
      <input
        id={id}
        name="username"
        autoComplete="nickname"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        autoFocus={autoFocus}
      />
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
