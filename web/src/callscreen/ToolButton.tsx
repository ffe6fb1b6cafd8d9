import type { LucideIcon } from 'lucide-react';
import type { ButtonHTMLAttributes, ReactNode } from 'react';

/**
 * A round toolbar button: an icon, its name as the accessible name (read out and found by
 * tests) and as a tooltip on hover and keyboard focus. `badge` sits on the icon's corner.
 */
export function ToolButton({
  icon: Icon,
  label,
  badge,
  className,
  ...rest
}: {
  icon: LucideIcon;
  label: string;
  badge?: ReactNode;
} & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'children'>) {
  return (
    <button type="button" className={`tool${className ? ` ${className}` : ''}`} {...rest}>
      <Icon aria-hidden="true" focusable="false" size={20} strokeWidth={2} />
      <span className="sr-only">{label}</span>
      {badge}
      <span className="tip" aria-hidden="true" data-tip={label} />
    </button>
  );
}
