'use client';
// Choosing the camera and the microphone of a call (from enumerateDevices).
import { useId } from 'react';

import type { Devices as DeviceList } from '@/lib/call/media';

export function Devices(props: {
  id: string;
  devices: DeviceList;
  cameraId: string | null;
  micId: string | null;
  video: boolean;
  onSwitch: (kind: 'audio' | 'video', deviceId: string) => void;
}) {
  const id = useId();
  const select = 'field h-10 py-1 text-sm';
  return (
    <div id={props.id} className="flex flex-wrap items-end gap-3 border-t border-line bg-surface px-3 py-2 text-ink sm:px-4">
      {props.video ? (
        <div className="min-w-0 flex-1 basis-40">
          <label htmlFor={`${id}-cam`} className="mb-0.5 block text-xs font-medium">
            Camera
          </label>
          <select
            id={`${id}-cam`}
            className={select}
            value={props.cameraId ?? ''}
            onChange={(e) => props.onSwitch('video', e.target.value)}
            disabled={props.devices.cameras.length === 0}
          >
            {props.cameraId === null ? <option value="">None</option> : null}
            {props.devices.cameras.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="min-w-0 flex-1 basis-40">
        <label htmlFor={`${id}-mic`} className="mb-0.5 block text-xs font-medium">
          Microphone
        </label>
        <select
          id={`${id}-mic`}
          className={select}
          value={props.micId ?? ''}
          onChange={(e) => props.onSwitch('audio', e.target.value)}
          disabled={props.devices.microphones.length === 0}
        >
          {props.micId === null ? <option value="">None</option> : null}
          {props.devices.microphones.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
